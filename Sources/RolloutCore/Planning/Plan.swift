import RolloutConfig

/// Exactly what a rollout will do, computed without touching any host: batches in order, and for every host
/// its strategy and the ordered actions (commands with variables resolved) the deploy engine carries out.
///
/// `rollout plan --output json` prints it in the stable schema `rollout.plan/1` (see `docs/playbook.md`).
public struct Plan: Sendable, Equatable {
    public static let schema = "rollout.plan/1"

    public var inventory: String
    public var playbook: String
    public var service: String
    public var version: ResolvedVersion
    public var artifact: ArtifactInfo
    public var failureBudget: FailureBudget
    public var rollback: RollbackPolicy
    public var batching: BatchingSpec
    /// The effective ceiling on hosts in flight (from `max_unavailable`), nil when unlimited.
    public var maxUnavailable: Int?
    public var canary: PlanCanary?
    public var timeouts: TimeoutsSpec
    public var batches: [PlanBatch]
    /// Every host of the rollout in inventory order.
    public var hosts: [HostPlan]
    /// `before_rollout` hooks (run on the controller before the first batch).
    public var beforeRollout: [PlannedCommand]
    /// `after_rollout` hooks (run on the controller after the last batch).
    public var afterRollout: [PlannedCommand]
}

public struct PlanCanary: Sendable, Equatable {
    public var hosts: [String]
    public var bake: Duration
    public var promote: CanarySpec.Promotion
}

/// Hosts deployed together: a batch starts when the previous one has finished.
public struct PlanBatch: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The canary hosts, then the bake time (and, with `promote: manual`, a stop until `rollout promote`).
        case canary
        /// An Ansible-style `serial` batch: all its hosts at once.
        case serial
        /// `window`: up to `concurrency` hosts in flight, the next starting as soon as one finishes.
        case window
    }

    /// 1-based position.
    public var index: Int
    public var kind: Kind
    public var hosts: [String]
    /// Most hosts of this batch in flight at once.
    public var concurrency: Int
    /// Health must hold this long after the batch before the next starts (canary only).
    public var bake: Duration?
    /// Stop after this batch until `rollout promote`.
    public var waitForPromote: Bool

    public init(
        index: Int, kind: Kind, hosts: [String], concurrency: Int, bake: Duration? = nil, waitForPromote: Bool = false
    ) {
        self.index = index
        self.kind = kind
        self.hosts = hosts
        self.concurrency = concurrency
        self.bake = bake
        self.waitForPromote = waitForPromote
    }
}

/// One host's part of the plan.
public struct HostPlan: Sendable, Equatable {
    public var name: String
    public var address: String
    public var port: Int
    public var user: String?
    public var strategy: Strategy
    /// Index of the batch the host belongs to.
    public var batch: Int
    /// The rendered service paths on this host.
    public var root: String
    public var steps: [PlanStep]
}

/// A phase of one host's deployment and the actions it consists of, in order.
public struct PlanStep: Sendable, Equatable {
    public enum Phase: String, Sendable, Equatable {
        case prepare, upload, drain, `switch`, restart, verify, undrain, cleanup
    }

    public var phase: Phase
    public var actions: [PlanAction]
}

public enum PlanAction: Sendable, Equatable {
    /// Run a command; `hook` says whether it is a user hook (`before` / `after`).
    case run(PlannedCommand, hook: HookSpec.When?)
    case upload(PlannedUpload)
    /// Poll the gateway until the host has no active connection, or the deadline passes.
    /// `count` says how to read the connection count from `status`'s output.
    case waitDrained(status: PlannedCommand?, count: ConnectionCount, deadline: Duration, pollInterval: Duration)
    case health(PlannedHealthCheck)
    /// List releases and delete those `ReleasePruning` selects, keeping `keep`.
    case pruneReleases(list: PlannedCommand, keep: Int)
}

/// Copy the artifact to the host, check it, and move it to its release directory.
public struct PlannedUpload: Sendable, Equatable {
    public var host: String
    public var source: String
    public var kind: ArtifactInfo.Kind
    public var sha256: String
    /// Commands run before the transfer (clear and create the upload directory).
    public var begin: [PlannedCommand]
    /// Where the bytes go: the upload directory (a directory artifact) or a file inside it.
    public var destination: String
    /// For a file artifact, the command printing the uploaded file's SHA-256, which must equal `sha256`.
    public var verify: PlannedCommand?
    /// Moves the upload to `release`.
    public var finish: PlannedCommand
    /// The release directory; when it already exists the upload is not repeated.
    public var release: String
    public var timeout: Duration
}

/// A health check with everything resolved for one host.
public struct PlannedHealthCheck: Sendable, Equatable {
    public enum Probe: Sendable, Equatable {
        case http(url: String, status: Int, bodyContains: String?, versionHeader: String?, versionJSONKey: String?)
        case tcp(host: String, port: Int)
        case command(PlannedCommand)
    }

    public var probe: Probe
    /// The version the check must see (with `version_header` / `version_json`).
    public var expectVersion: String?
    public var interval: Duration
    public var timeout: Duration
    public var retries: Int
    public var successes: Int
    public var deadline: Duration
}
