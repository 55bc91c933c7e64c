import Foundation
import RolloutStore

/// The lease a run holds, shared by its tasks: set when the run takes the fleet's lock, so that every host deployer
/// sends the acquisition's fencing token to the agents.
public final class HeldLock: @unchecked Sendable {
    private let lock = NSLock()
    private var lease: LockLease?

    public init() {}

    /// The lease taken (nil before the lock is held).
    public var current: LockLease? { lock.withLock { lease } }
    /// Its fencing token (nil before the lock is held, or for a lock row without one).
    public var fence: Int64? { current?.fence }

    func hold(_ lease: LockLease) { lock.withLock { self.lease = lease } }
}
