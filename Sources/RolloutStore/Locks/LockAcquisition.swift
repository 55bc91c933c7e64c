/// The result of ``JournalStore/acquireLock(inventory:owner:lease:now:isProcessAlive:)``.
public enum LockAcquisition: Sendable, Hashable {
    /// The lock was free (or already ours) and is now ours.
    case acquired(LockLease)
    /// The previous holder was provably dead; the lock is now ours and a `lock.takeover` event records it.
    case acquiredByTakeover(LockLease, previous: LockLease, reason: TakeoverReason)
    /// Someone alive holds it; nothing was changed.
    case held(by: LockLease)

    /// Our lease, when we got the lock.
    public var lease: LockLease? {
        switch self {
        case .acquired(let lease), .acquiredByTakeover(let lease, _, _): lease
        case .held: nil
        }
    }
}

/// Why a lock was taken over: its holder is provably dead (same host) or silent (another host).
public enum TakeoverReason: String, Codable, Sendable, Hashable {
    /// The holder runs on another host, stopped renewing it and its expiry passed.
    case leaseExpired = "lease_expired"
    /// The holder ran on this host and its process no longer exists (`kill(pid, 0)` gave `ESRCH`).
    case ownerProcessGone = "owner_process_gone"
    /// The holder ran on this host and its pid now belongs to a later process (another start time).
    case ownerPidReused = "owner_pid_reused"
}
