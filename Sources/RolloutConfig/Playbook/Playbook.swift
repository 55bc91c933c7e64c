/// A rollout described in `playbooks/NAME.yml`: what to deploy, where, in which order, how to check it and
/// what to do when it fails. See `docs/playbook.md` for every key, its type and default.
///
/// Everything here is validated when the file is read; templates (`{{ ... }}`) are rendered per host by the
/// planner, which reports undefined variables before any host is touched.
public struct Playbook: Sendable, Equatable {
    /// The path it was loaded from (`playbooks/web.yml`).
    public var file: String
    public var service: ServiceSpec
    /// What to upload; nil only in a config-only playbook (every host's strategy is `reload`).
    public var artifact: ArtifactSpec?
    /// Which inventory hosts the playbook deploys to: a pattern in `--limit` syntax; default `all`.
    public var hosts: String
    /// Default strategy for every host (overridable per group or host).
    public var strategy: Strategy
    public var batching: BatchingSpec
    public var canary: CanarySpec?
    /// The failure budget: the rollout stops when the number of failed hosts exceeds it.
    public var maxFailures: Quantity
    public var rollback: RollbackPolicy
    public var health: [HealthCheckSpec]
    public var gateway: GatewaySpec?
    public var hooks: [HookSpec]
    public var timeouts: TimeoutsSpec
    /// Playbook variables: above inventory variables, below `--var`.
    public var vars: [String: ConfigValue]
    /// Per-group and per-host overrides, in file order.
    public var overrides: [OverrideSpec]
    /// How the agent runs the service (`rollout agent install`); nil when the playbook has no `agent` section.
    public var agent: AgentSpec? = nil
    /// Configuration files for `reload` hosts; nil when the playbook has no `config` section.
    public var config: ConfigSpec? = nil
    /// Where some values were written (`hosts`, `canary.hosts`, `gateway.on`, `max_unavailable`), for problems
    /// only found against an inventory. See `origin(of:)`.
    public var origins: [String: ConfigOrigin] = [:]

    /// Where the value of `key` (a dotted path) was written; the file alone when unknown.
    public func origin(of key: String) -> ConfigOrigin {
        origins[key] ?? ConfigOrigin(file: file, key: key)
    }
}

/// How a host gets the new release.
public enum Strategy: String, Sendable, Equatable, CaseIterable, Codable {
    /// The agent starts the new release on the same sockets and retires the old one: no gateway involved.
    case hot
    /// Out of the gateway, wait for connections to reach zero (or the drain deadline), restart, back in.
    case drain
    /// Push the `config` files and have the agent send the service its reload signal: no new release, no
    /// restart, the same process keeps serving.
    case reload
}

/// What happens to hosts when a rollout fails.
public enum RollbackPolicy: String, Sendable, Equatable, CaseIterable, Codable {
    /// Revert only the host that failed.
    case host
    /// Revert every host this rollout has already changed.
    case all
    /// Leave every host as it is.
    case none
}

/// A count or a percentage of the hosts (`3`, `"25%"`).
public enum Quantity: Sendable, Equatable, Hashable {
    case count(Int)
    case percent(Int)

    /// Ansible's `pct_to_int`: a percentage of `total`, rounded down, at least `minimum`.
    ///
    /// Computed as Ansible does, in floating point — `int((pct / 100.0) * total)` — and not in exact integers:
    /// the two differ where the product falls just below an integer (29% of 100 is 28.999999999999996, so 28),
    /// and batches must be the ones an Ansible user gets with the same `serial`.
    public func absolute(of total: Int, minimum: Int = 1) -> Int {
        switch self {
        case .count(let n): return n
        case .percent(let p):
            let value = Int((Double(p) / 100.0) * Double(total))
            return value == 0 ? minimum : value
        }
    }

    /// As written: `3` or `"25%"`.
    public var text: String {
        switch self {
        case .count(let n): return String(n)
        case .percent(let p): return "\(p)%"
        }
    }
}

public struct ServiceSpec: Sendable, Equatable {
    /// Service name, used in paths and messages.
    public var name: String
    /// Root directory on each host: `releases/`, `current`, `shared/` live under it.
    public var root: Template
    /// How many releases to keep on each host (the current one and its predecessor are never deleted).
    public var keepReleases: Int
    /// The agent's control socket on the host.
    public var controlSocket: Template
    /// The agent executable on the host.
    public var agent: Template
}

public struct ArtifactSpec: Sendable, Equatable {
    /// A local file or directory, relative to the project directory.
    public var path: String
    /// The version, when the playbook fixes it.
    public var version: Template?
    /// The environment variable that gives the version, when the playbook names one.
    public var versionEnv: String?
    /// Largest artifact accepted, in bytes.
    public var maxSize: Int64?

    public init(path: String, version: Template? = nil, versionEnv: String? = nil, maxSize: Int64? = nil) {
        self.path = path
        self.version = version
        self.versionEnv = versionEnv
        self.maxSize = maxSize
    }
}

/// How hosts are grouped into waves.
public enum BatchingMode: Sendable, Equatable {
    /// Ansible's `serial`: a list of batch sizes; the last repeats until every host is done.
    case serial([Quantity])
    /// Keep this many hosts in flight; start the next as soon as one finishes.
    case window(Quantity)
}

public struct BatchingSpec: Sendable, Equatable {
    public var mode: BatchingMode
    /// Ceiling on hosts out of service at once; no batch or window exceeds it.
    public var maxUnavailable: Quantity?
}

/// The first hosts, deployed alone and watched before the rest.
public struct CanarySpec: Sendable, Equatable {
    public enum Selection: Sendable, Equatable {
        case count(Int)
        /// Hosts matching a pattern (a group name, a host name, a glob).
        case pattern(String)
    }

    public enum Promotion: String, Sendable, Equatable, CaseIterable {
        /// Continue with the rest once the bake time passed with healthy canaries.
        case auto
        /// Stop after the bake time and wait for `rollout promote`.
        case manual
    }

    public var selection: Selection
    /// How long the canaries must stay healthy.
    public var bake: Duration
    public var promote: Promotion
}

public struct TimeoutsSpec: Sendable, Equatable {
    public var upload: Duration
    public var restart: Duration
    public var rollout: Duration
}

/// Settings for the hosts matching a pattern (a group or a host name); later overrides win.
public struct OverrideSpec: Sendable, Equatable {
    public var pattern: String
    public var origin: ConfigOrigin
    public var strategy: Strategy?
    public var health: [HealthCheckSpec]?
    public var vars: [String: ConfigValue]
}
