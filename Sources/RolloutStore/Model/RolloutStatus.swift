/// Where a whole rollout stands. The raw strings are stored in `rollout.status` and printed in JSON;
/// they never change once published.
public enum RolloutStatus: String, Codable, Sendable, CaseIterable {
    /// Begun and not yet finished, or its controller died (then `rollout resume` picks it up).
    case running
    /// Every host reached the target version.
    case succeeded
    /// Stopped by failures; hosts that were upgraded were left on the new version.
    case failed
    /// Stopped by failures and every touched host was put back on its previous version.
    case rolledBack = "rolled_back"
    /// Finished with some hosts failed within the failure budget.
    case partial
    /// Stopped before completion on purpose (a failed canary, a refused plan, an operator's abort).
    case aborted
    /// Stopped by a signal (Ctrl-C, SIGTERM); `rollout resume` can finish it.
    case interrupted

    /// Whether `rollout resume` still has work to do for a rollout in this status.
    public var isUnfinished: Bool { self == .running || self == .interrupted }
}
