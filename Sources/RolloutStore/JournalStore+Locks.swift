import Foundation

extension JournalStore {
    /// Tries to take the lock of `inventory` (the fleet's key, ``InventoryIdentity``) for `owner`, in one
    /// serialized transaction: of any number of controllers trying at once, on any number of machines sharing the
    /// journal, exactly one gets it.
    ///
    /// - A free lock, or one `owner` already holds (same token: a re-acquire refreshes it), is `acquired`.
    /// - A lock whose holder is provably dead or silent (``LockLease/takeoverReason(at:fromHost:isProcessAlive:processStart:)``:
    ///   same host and process gone or pid reused; another host and lease expired) is taken over and a
    ///   `lock.takeover` event records the previous holder and the reason.
    /// - Otherwise nothing changes and the holder is returned as `held(by:)`.
    /// - Every acquisition (free lock, takeover, after a forced release) gets a new fencing token
    ///   (``LockLease/fence``, ``FencingToken``) in the same transaction, above any token issued before for `inventory`;
    ///   a re-acquire by the holder keeps its token.
    /// - `aliases` are other keys the same fleet may be locked under (a typed inventory path, by a controller
    ///   older than `v3-lock-identity`): such a lock is judged the same way, and taken over (removed) or returned
    ///   as the holder.
    ///
    /// - Parameters:
    ///   - lease: how long the lock stays valid without a heartbeat (``renewLock(inventory:owner:lease:now:)``).
    ///   - isProcessAlive: the liveness check for same-host holders; ``ProcessLiveness/system(_:)`` by default.
    ///   - processStart: a same-host pid's start time; ``ProcessLiveness/startTime(_:)`` by default.
    public func acquireLock(
        inventory: String, owner: LockOwner, lease: Duration, now: Date = Date(), aliases: [String] = [],
        isProcessAlive: @escaping @Sendable (Int32) -> Bool = ProcessLiveness.system,
        processStart: @escaping @Sendable (Int32) -> String? = ProcessLiveness.startTime
    ) async throws -> LockAcquisition {
        try await backend.acquireLock(
            inventory: inventory, owner: owner, lease: lease, now: now, aliases: aliases,
            isProcessAlive: isProcessAlive, processStart: processStart)
    }

    /// Heartbeat: extends our lease to `now + lease`.
    ///
    /// A lease that expired but was not taken over is still ours and is renewed.
    /// - Throws: ``JournalError`` `lock_not_held` when the lock is gone or belongs to someone else:
    ///   the caller must stop changing hosts.
    @discardableResult
    public func renewLock(inventory: String, owner: LockOwner, lease: Duration, now: Date = Date()) async throws
        -> LockLease
    {
        try await backend.renewLock(inventory: inventory, owner: owner, lease: lease, now: now)
    }

    /// Releases our lock. Returns false (and changes nothing) when we did not hold it.
    @discardableResult
    public func releaseLock(inventory: String, owner: LockOwner) async throws -> Bool {
        try await backend.releaseLock(inventory: inventory, owner: owner)
    }

    /// Removes the lock of `inventory` whoever holds it, and records a `lock.force_release` event naming
    /// the previous holder and `releasedBy`. Returns the previous lease, nil when there was no lock.
    @discardableResult
    public func forceReleaseLock(inventory: String, releasedBy: ControllerIdentity, now: Date = Date()) async throws
        -> LockLease?
    {
        try await backend.forceReleaseLock(inventory: inventory, releasedBy: releasedBy, now: now)
    }

    /// The current locks (of one inventory, or all), by inventory name. Expired leases are listed too:
    /// they stay until taken over or released (see ``LockLease/isExpired(at:)``).
    public func lockStatus(inventory: String? = nil) async throws -> [LockLease] {
        try await backend.lockStatus(inventory: inventory)
    }

    /// The last fencing token this journal issued for `inventory` (a lock key), nil when none was.
    public func lastFence(inventory: String) async throws -> Int64? {
        try await backend.lastFence(inventory: inventory)
    }
}
