/// The playbook's `config` section: configuration files pushed to hosts whose strategy is `reload`, then
/// applied by the service's reload signal (`rollout-agent ctl reload-service`) instead of a restart.
///
/// Each file is rendered per host from a template (the playbook's `{{ var }}` substitution) or copied as it
/// is, uploaded to a temporary name, checked by SHA-256, validated on the host, and renamed into place.
public struct ConfigSpec: Sendable, Equatable {
    public var files: [ConfigFileSpec]
    /// How long the agent waits for the service to confirm a reload (`RELOADING=1` then `READY=1`, or its
    /// readiness probe).
    public var reloadTimeout: Duration
    public var origin: ConfigOrigin

    public init(files: [ConfigFileSpec], reloadTimeout: Duration, origin: ConfigOrigin) {
        self.files = files
        self.reloadTimeout = reloadTimeout
        self.origin = origin
    }
}

/// One file of the `config` section.
public struct ConfigFileSpec: Sendable, Equatable {
    /// The placeholder in `validate` that stands for the uploaded temporary file.
    public static let filePlaceholder = "{file}"

    public enum Source: Sendable, Equatable {
        /// A local text file rendered per host (`{{ var }}`), relative to the project directory.
        case template(String)
        /// A local file copied byte for byte.
        case copy(String)

        public var path: String {
            switch self {
            case .template(let path), .copy(let path): return path
            }
        }

        /// `template` or `copy`, as the playbook writes it.
        public var kind: String {
            switch self {
            case .template: return "template"
            case .copy: return "copy"
            }
        }
    }

    /// Where a destination lives on the host.
    public enum Base: String, Sendable, Equatable, CaseIterable {
        /// `<root>/shared/...`: survives releases.
        case shared
        /// `<root>/current/...`: inside the release `current` points to.
        case release
    }

    public var source: Source
    public var base: Base
    /// The path below the base (`nginx/site.conf`), never absolute, never with `..`.
    public var path: String
    /// Permission bits of the deployed file.
    public var mode: UInt32
    /// A shell command run on the host against the uploaded temporary file (`{file}`) before anything is
    /// switched; a non-zero exit refuses the configuration on that host.
    public var validate: Template?
    /// Where the item was written (`config.files[0]`).
    public var origin: ConfigOrigin

    public init(
        source: Source, base: Base, path: String, mode: UInt32 = 0o644, validate: Template? = nil,
        origin: ConfigOrigin
    ) {
        self.source = source
        self.base = base
        self.path = path
        self.mode = mode
        self.validate = validate
        self.origin = origin
    }

    /// `shared/nginx/site.conf` or `release/conf/app.conf`, as written.
    public var destination: String { "\(base.rawValue)/\(path)" }
}
