import Foundation

extension Playbook {
    /// The playbook used when `--playbook` is not given: `playbooks/default.yml` (or `.yaml`) if it exists,
    /// otherwise the only playbook in `playbooks/` when there is exactly one.
    public static let defaultName = "default"

    /// Loads `playbooks/NAME.yml` (or `.yaml`) under `baseDirectory`, or the file at a path; nil selects the
    /// default playbook (see `defaultName`). Throws a `ConfigError` carrying every problem found.
    public static func load(_ nameOrPath: String?, baseDirectory: String = ".") throws -> Playbook {
        let name = try nameOrPath ?? defaultPlaybookName(baseDirectory: baseDirectory)
        let file = try ConfigFiles.locate(
            name, kind: "playbook", directory: "playbooks", extensions: ["yml", "yaml"],
            baseDirectory: baseDirectory)
        return try parse(try ConfigFiles.read(file), file: file.display)
    }

    /// Parses playbook YAML; `file` names the file in error messages.
    public static func parse(_ text: String, file: String) throws -> Playbook {
        let diagnostics = Diagnostics(file: file)
        let playbook = YAMLReading.compose(text, diagnostics: diagnostics).flatMap {
            PlaybookReader(diagnostics: diagnostics).read($0)
        }
        try diagnostics.throwIfAny()
        guard let playbook else {
            throw ConfigError(.syntax, file: file, message: "the playbook must be a YAML mapping")
        }
        return playbook
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
