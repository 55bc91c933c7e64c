import Foundation

extension Playbook {
    /// The playbook used when `--playbook` is not given: `playbooks/default.yml` (or `.yaml`) if it exists,
    /// otherwise the only playbook in `playbooks/` when there is exactly one.
    public static let defaultName = "default"

    /// Loads `playbooks/NAME.yml` (or `.yaml`) under `baseDirectory`, or the file at a path; nil selects the
    /// default playbook (see `defaultName`). Throws a `ConfigError` carrying every problem found.
    public static func load(_ nameOrPath: String?, baseDirectory: String = ".") throws -> Playbook {
        let (playbook, problems) = loadReportingAll(nameOrPath, baseDirectory: baseDirectory)
        if let error = ConfigError.combine(problems) { throw error }
        return playbook!
    }

    /// Like `load`, but returns the problems with whatever could be read: a playbook with a bad value keeps
    /// that setting's default, so later stages (`rollout check`) can still find their own problems. The
    /// playbook is nil only when the file cannot be read or lacks `service` or `artifact`.
    public static func loadReportingAll(_ nameOrPath: String?, baseDirectory: String = ".") -> (
        playbook: Playbook?, problems: [ConfigError]
    ) {
        do {
            let name = try nameOrPath ?? defaultPlaybookName(baseDirectory: baseDirectory)
            let file = try ConfigFiles.locate(
                name, kind: "playbook", directory: "playbooks", extensions: ["yml", "yaml"],
                baseDirectory: baseDirectory)
            return parseReportingAll(try ConfigFiles.read(file), file: file.display)
        } catch {
            return (nil, (error as? ConfigError)?.all ?? [ConfigError(.syntax, file: "?", message: "\(error)")])
        }
    }

    /// Parses playbook YAML; `file` names the file in error messages. Throws every problem found.
    public static func parse(_ text: String, file: String) throws -> Playbook {
        let (playbook, problems) = parseReportingAll(text, file: file)
        if let error = ConfigError.combine(problems) { throw error }
        return playbook!
    }

    /// The playbook as far as it could be read, and every problem found.
    public static func parseReportingAll(_ text: String, file: String) -> (playbook: Playbook?, problems: [ConfigError])
    {
        let diagnostics = Diagnostics(file: file)
        let playbook = YAMLReading.compose(text, diagnostics: diagnostics).flatMap {
            PlaybookReader(diagnostics: diagnostics).read($0)
        }
        if playbook == nil && diagnostics.isEmpty {
            diagnostics.report(.syntax, "the playbook must be a YAML mapping", line: nil)
        }
        return (playbook, diagnostics.errors)
    }

    private static func defaultPlaybookName(baseDirectory: String) throws -> String {
        let directory =
            baseDirectory == "." ? "playbooks" : (baseDirectory as NSString).appendingPathComponent("playbooks")
        let available = ConfigFiles.available(in: directory, extensions: ["yml", "yaml"])
        if available.contains(defaultName) { return defaultName }
        if available.count == 1 { return available[0] }
        let message =
            available.isEmpty
            ? "no playbook found: create playbooks/default.yml or pass --playbook"
            : "several playbooks (\(available.joined(separator: ", "))) and no playbooks/default.yml: pass --playbook"
        throw ConfigError(.fileNotFound, file: "\(directory)/\(defaultName).yml", message: message)
    }
}
