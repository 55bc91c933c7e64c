import RolloutConfig

/// The version a rollout installs, and where it came from.
public struct ResolvedVersion: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// `--version` on the command line.
        case commandLine
        /// `artifact.version` in the playbook.
        case playbook
        /// The environment variable named by `artifact.version_env`.
        case environment(String)
        /// The first 12 hex digits of the artifact's SHA-256.
        case artifactDigest
        /// A config-only rollout without a given version: every host keeps the release it runs.
        case current

        /// `cli`, `playbook`, `env:NAME`, `artifact-sha256` or `current`, as the plan shows it.
        public var text: String {
            switch self {
            case .commandLine: return "cli"
            case .playbook: return "playbook"
            case .environment(let name): return "env:\(name)"
            case .artifactDigest: return "artifact-sha256"
            case .current: return "current"
            }
        }
    }

    public var version: String
    public var source: Source

    public init(version: String, source: Source) {
        self.version = version
        self.source = source
    }

    /// Picks the version: `--version`, else the playbook's `artifact.version` (rendered with playbook and
    /// `--var` variables), else the environment variable `artifact.version_env` (which must then be set),
    /// else the first 12 hex digits of the artifact's SHA-256, or, in a config-only playbook (no artifact),
    /// `current` (source `.current`: hosts keep their release). The result must be usable as a directory name:
    /// letters, digits, `.`, `_`, `+`, `-`, not starting with `.`.
    public static func resolve(
        playbook: Playbook, commandLine: String?, environment: [String: String], extraVars: [String: ConfigValue],
        artifactDigest: String
    ) throws -> ResolvedVersion {
        let resolved: ResolvedVersion
        var origin = ConfigOrigin(file: playbook.file, key: "artifact.version")
        if let commandLine {
            origin = ConfigOrigin(file: "--version")
            resolved = ResolvedVersion(version: commandLine, source: .commandLine)
        } else if let template = playbook.artifact?.version {
            origin = template.origin
            var vars = playbook.vars
            vars.merge(extraVars) { _, new in new }
            switch template.render(in: VariableScope(vars)) {
            case .success(let text): resolved = ResolvedVersion(version: text, source: .playbook)
            case .failure(let undefined):
                if let bad = undefined.names.first(where: { $0.unfit != nil }) {
                    throw origin.error(.invalidValue, bad.problem)
                }
                let names = undefined.names.map { "`\($0.name)`" }.joined(separator: ", ")
                throw origin.error(
                    .undefinedVariable, "undefined variable \(names) (the version sees playbook `vars` and --var only)")
            }
        } else if let name = playbook.artifact?.versionEnv {
            origin = ConfigOrigin(file: playbook.file, key: "artifact.version_env")
            guard let value = environment[name], !value.isEmpty else {
                throw origin.error(
                    .missingKey, "the environment variable `\(name)` is not set; set it or pass --version")
            }
            resolved = ResolvedVersion(version: value, source: .environment(name))
        } else if playbook.artifact == nil {
            resolved = ResolvedVersion(version: "current", source: .current)
        } else {
            resolved = ResolvedVersion(version: String(artifactDigest.prefix(12)), source: .artifactDigest)
        }
        guard isValid(resolved.version) else {
            throw origin.error(
                .invalidValue,
                "version `\(resolved.version)` is not a valid release name (letters, digits, `.`, `_`, `+`, `-`)")
        }
        return resolved
    }

    static func isValid(_ version: String) -> Bool {
        !version.isEmpty && !version.hasPrefix(".") && version.count <= 128
            && version.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._+-".contains($0)) }
    }
}
