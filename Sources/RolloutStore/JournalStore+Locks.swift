import Foundation
import GRDB

extension JournalStore {
    /// Tries to take the lock of `inventory` for `owner`, in one `BEGIN IMMEDIATE` transaction: of any
    /// number of processes trying at once, exactly one gets it.
    ///
    /// - A free lock, or one `owner` already holds (same token: a re-acquire refreshes it), is `acquired`.
    /// - A lock whose holder is provably dead is taken over and a `lock.takeover` event records the
    ///   previous holder and the reason. Provably dead means: the lease expired (`expiresAt <= now`), or
    ///   the holder runs on the same host name as `owner` and `isProcessAlive(pid)` is false.
    /// - Otherwise nothing changes and the holder is returned as `held(by:)`.
    ///
    /// - Parameters:
    ///   - lease: how long the lock stays valid without a heartbeat (``renewLock(inventory:owner:lease:now:)``).
    ///   - isProcessAlive: the liveness check for same-host holders; ``ProcessLiveness/system(_:)`` by default.
    public func acquireLock(
        inventory: String, owner: LockOwner, lease: Duration, now: Date = Date(),
        isProcessAlive: @escaping @Sendable (Int32) -> Bool = ProcessLiveness.system
    ) async throws -> LockAcquisition {
        // Rounded to what the journal stores, so the lease returned equals the one read back later.
        let now = JournalTime.rounded(now)
        let mine = LockLease(
            inventory: inventory, owner: owner, acquiredAt: now, heartbeatAt: now,
            expiresAt: JournalTime.rounded(JournalDuration.adding(lease, to: now)))
        return try await journalWrite { db in try Self.acquire(mine, isProcessAlive: isProcessAlive, db) }
    }

    private static func acquire(_ mine: LockLease, isProcessAlive: (Int32) -> Bool, _ db: Database) throws
        -> LockAcquisition
    {
        guard let current = try LockRow.fetchOne(db, key: mine.inventory).map(LockLease.init) else {
            try mine.row.insert(db)
            return .acquired(mine)
        }
        if current.owner.token == mine.owner.token {
            var renewed = mine
            renewed.acquiredAt = current.acquiredAt
            try renewed.row.update(db)
            return .acquired(renewed)
        }
        let reason: TakeoverReason
        if current.isExpired(at: mine.heartbeatAt) {
            reason = .leaseExpired
        } else if current.owner.identity.host == mine.owner.identity.host,
            !isProcessAlive(current.owner.identity.pid)
        {
            reason = .ownerProcessGone
        } else {
            return .held(by: current)
        }
        try mine.row.update(db)
        try insertEvent(
            .lockTakeover,
            message: "lock of \(mine.inventory) taken over from \(current.owner.displayName) "
                + "(\(reason.rawValue)) by \(mine.owner.displayName)",
            inventory: mine.inventory,
            detail: .object([
                "previous": current.eventDetail, "reason": .string(reason.rawValue), "new_owner": mine.eventDetail,
            ]),
            at: mine.heartbeatAt, db)
        return .acquiredByTakeover(mine, previous: current, reason: reason)
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
        try await journalWrite { db in
            guard var current = try LockRow.fetchOne(db, key: inventory).map(LockLease.init),
                current.owner.token == owner.token
            else {
                let holder = try LockRow.fetchOne(db, key: inventory).map { LockLease($0).owner.displayName }
                throw JournalError(
                    .lockNotHeld,
                    "the lock of \(inventory) is no longer ours (\(holder.map { "held by \($0)" } ?? "released")); "
                        + "stop this rollout and check `rollout lock status`")
            }
            current.heartbeatAt = JournalTime.rounded(now)
            current.expiresAt = JournalTime.rounded(JournalDuration.adding(lease, to: now))
            try current.row.update(db)
            return current
        }
    }

    /// Releases our lock. Returns false (and changes nothing) when we did not hold it.
    @discardableResult
    public func releaseLock(inventory: String, owner: LockOwner) async throws -> Bool {
        try await journalWrite { db in
            try db.execute(
                sql: "DELETE FROM inventory_lock WHERE inventory = ? AND owner_token = ?",
                arguments: [inventory, owner.token])
            return db.changesCount > 0
        }
    }

    /// Removes the lock of `inventory` whoever holds it, and records a `lock.force_release` event naming
    /// the previous holder and `releasedBy`. Returns the previous lease, nil when there was no lock.
    @discardableResult
    public func forceReleaseLock(inventory: String, releasedBy: ControllerIdentity, now: Date = Date()) async throws
        -> LockLease?
    {
        try await journalWrite { db in
            guard let current = try LockRow.fetchOne(db, key: inventory).map(LockLease.init) else { return nil }
            _ = try LockRow.deleteOne(db, key: inventory)
            try Self.insertEvent(
                .lockForceRelease,
                message: "lock of \(inventory) held by \(current.owner.displayName) "
                    + "force-released by \(releasedBy.displayName)",
                inventory: inventory,
                detail: .object(["previous": current.eventDetail, "released_by": releasedBy.journalJSON]),
                at: now, db)
            return current
        }
    }

    /// The current locks (of one inventory, or all), by inventory name. Expired leases are listed too:
    /// they stay until taken over or released (see ``LockLease/isExpired(at:)``).
    public func lockStatus(inventory: String? = nil) async throws -> [LockLease] {
        try await pool.read { db in
            try LockRow.fetchAll(
                db, sql: "SELECT * FROM inventory_lock WHERE ?1 IS NULL OR inventory = ?1 ORDER BY inventory",
                arguments: [inventory]
            ).map(LockLease.init)
        }
    }
}
