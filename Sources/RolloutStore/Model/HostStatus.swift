/// Where one host of a rollout stands. Raw strings are stored in `rollout_host.status`; stable.
public enum HostStatus: String, Codable, Sendable, CaseIterable {
    /// Planned, nothing done yet.
    case pending
    /// At least one phase has begun.
    case running
    /// Serving the target version and verified.
    case succeeded
    /// A phase failed and the host was not put back.
    case failed
    /// Put back on its previous version (after its own failure or because the rollout was reverted).
    case rolledBack = "rolled_back"
    /// Deliberately not touched (the rollout stopped before reaching it).
    case skipped
    /// Already on the target version; nothing to do.
    case unchanged

    /// Counted as "ok" in history: the host ends up on the target version.
    public var isOK: Bool { self == .succeeded || self == .unchanged }
}
