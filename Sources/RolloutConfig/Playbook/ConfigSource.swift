import Foundation

/// A `config` file's local content, read once before planning: the lines of a template (each its own
/// `Template`, so an undefined variable is reported at the template file's line) or the bytes of a copy.
public struct ConfigSource: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        /// One template per line of the file; rendered lines are joined with `\n` again.
        case lines([Template])
        case bytes([UInt8])
    }

    public var spec: ConfigFileSpec
    public var content: Content

    /// Reads every file of `config` (paths relative to `baseDirectory`); returns what could be read and a
    /// problem per file that could not (missing, unreadable, a template that is not UTF-8 or has bad `{{`).
    public static func load(_ config: ConfigSpec?, baseDirectory: String) -> (
        sources: [ConfigSource], problems: [ConfigError]
    ) {
        var sources: [ConfigSource] = []
        var problems: [ConfigError] = []
        for spec in config?.files ?? [] {
            switch read(spec, baseDirectory: baseDirectory) {
            case .success(let source): sources.append(source)
            case .failure(let error): problems += error.all
            }
        }
        return (sources, problems)
    }

    static func read(_ spec: ConfigFileSpec, baseDirectory: String) -> Result<ConfigSource, ConfigError> {
        let relative = spec.source.path
        let path =
            relative.hasPrefix("/") || baseDirectory == "."
            ? relative : (baseDirectory as NSString).appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: path)
        else {
            return .failure(
                spec.origin.error(
                    .fileNotFound, "cannot read `\(relative)` (relative to the project directory)", found: relative,
                    allowed: "a readable file"))
        }
        switch spec.source {
        case .copy:
            return .success(ConfigSource(spec: spec, content: .bytes(Array(data))))
        case .template:
            guard let text = String(data: data, encoding: .utf8) else {
                return .failure(
                    spec.origin.error(
                        .invalidValue, "`\(relative)` is not UTF-8 text; use `copy:` for files deployed as they are"))
            }
            var lines: [Template] = []
            var problems: [ConfigError] = []
            let key = "\(spec.origin.key ?? "config").template"
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let origin = ConfigOrigin(file: relative, line: index + 1, key: key)
                switch Template.parse(String(line), origin: origin, context: .content) {
                case .success(let template): lines.append(template)
                case .failure(let problem):
                    problems.append(origin.error(problem.code, problem.message))
                }
            }
            if let error = ConfigError.combine(problems) { return .failure(error) }
            return .success(ConfigSource(spec: spec, content: .lines(lines)))
        }
    }
}
