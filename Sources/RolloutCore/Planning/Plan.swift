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
    /// Nil in a config-only rollout (every host `reload`).
    public var artifact: ArtifactInfo?
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
