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
    /// Left unfinished and then overtaken by a newer rollout of the same inventory (`rollout.superseded` names it):
    /// it can no longer be resumed or promoted, which would put the fleet back on an older plan.
    case superseded

    /// Whether `rollout resume` still has work to do for a rollout in this status.
    public var isUnfinished: Bool { self == .running || self == .interrupted }

    /// Whether `rollout resume` may continue a rollout in this status (`aborted`: stopped by Ctrl-C), unless a newer
    /// rollout of its inventory has started since.
    public var isResumable: Bool { isUnfinished || self == .aborted }

    /// The statuses of ``isResumable``, as SQL text for `status IN (...)`.
    static let resumableSQL = allCases.filter(\.isResumable).map { "'\($0.rawValue)'" }.joined(separator: ", ")
}
