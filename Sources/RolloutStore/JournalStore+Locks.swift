import Foundation
import GRDB

extension JournalStore {
    /// Tries to take the lock of `inventory` (the fleet's key, ``InventoryIdentity``) for `owner`, in one
    /// `BEGIN IMMEDIATE` transaction: of any number of processes trying at once, exactly one gets it.
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
        // Rounded to what the journal stores, so the lease returned equals the one read back later.
        let now = JournalTime.rounded(now)
        let mine = LockLease(
            inventory: inventory, owner: owner, acquiredAt: now, heartbeatAt: now,
            expiresAt: JournalTime.rounded(JournalDuration.adding(lease, to: now)))
        return try await journalWrite { db in
            var takenOver: (LockLease, TakeoverReason)?
            for alias in aliases where alias != inventory {
                guard let legacy = try LockRow.fetchOne(db, key: alias).map(LockLease.init) else { continue }
                guard
                    let reason = legacy.takeoverReason(
                        at: now, fromHost: owner.identity.host, isProcessAlive: isProcessAlive,
                        processStart: processStart)
                else { return .held(by: legacy) }
                _ = try LockRow.deleteOne(db, key: alias)
                try Self.recordTakeover(of: legacy, by: mine, reason: reason, db)
                takenOver = (legacy, reason)
            }
            let result = try Self.acquire(mine, isProcessAlive: isProcessAlive, processStart: processStart, db)
            if case .acquired(let lease) = result, let (previous, reason) = takenOver {
                return .acquiredByTakeover(lease, previous: previous, reason: reason)
            }
            return result
        }
    }

    private static func acquire(
        _ mine: LockLease, isProcessAlive: (Int32) -> Bool, processStart: (Int32) -> String?, _ db: Database
    ) throws -> LockAcquisition {
        var mine = mine
        guard let current = try LockRow.fetchOne(db, key: mine.inventory).map(LockLease.init) else {
            mine.fence = try issueFence(for: mine.inventory, at: mine.acquiredAt, db)
            try mine.row.insert(db)
            return .acquired(mine)
        }
        if current.owner.token == mine.owner.token {
            var renewed = mine
            renewed.acquiredAt = current.acquiredAt
            renewed.fence = current.fence
            try renewed.row.update(db)
            return .acquired(renewed)
        }
        guard
            let reason = current.takeoverReason(
                at: mine.heartbeatAt, fromHost: mine.owner.identity.host, isProcessAlive: isProcessAlive,
                processStart: processStart)
        else { return .held(by: current) }
        mine.fence = try issueFence(for: mine.inventory, at: mine.acquiredAt, db)
        try mine.row.update(db)
        try recordTakeover(of: current, by: mine, reason: reason, db)
        return .acquiredByTakeover(mine, previous: current, reason: reason)
    }

    /// The next fencing token for `key`, recorded as its last one (``FencingToken``). A lock row written by an older
    /// controller may carry none; the high-water mark is the larger of `lock_fence` and any token still in a lock row.
    private static func issueFence(for key: String, at now: Date, _ db: Database) throws -> Int64 {
        let last = try Int64.fetchOne(
            db,
            sql: """
                SELECT MAX(f) FROM (
                    SELECT last_fence AS f FROM lock_fence WHERE inventory = ?1
                    UNION ALL SELECT fence FROM inventory_lock WHERE inventory = ?1)
                """, arguments: [key])
        let fence = FencingToken.next(after: last, now: now)
        try db.execute(
            sql: """
                INSERT INTO lock_fence (inventory, last_fence, issued_at) VALUES (?1, ?2, ?3)
                ON CONFLICT (inventory) DO UPDATE SET last_fence = excluded.last_fence, issued_at = excluded.issued_at
                """, arguments: [key, fence, JournalTime.string(from: now)])
        return fence
    }

    /// The last fencing token this journal issued for `inventory` (a lock key), nil when none was.
    public func lastFence(inventory: String) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT last_fence FROM lock_fence WHERE inventory = ?", arguments: [inventory])
        }
    }

    private static func recordTakeover(
        of previous: LockLease, by mine: LockLease, reason: TakeoverReason, _ db: Database
    )
        throws
    {
        try insertEvent(
            .lockTakeover,
            message: "lock of \(mine.inventory) taken over from \(previous.owner.displayName) "
                + "(\(reason.rawValue)) by \(mine.owner.displayName)",
            inventory: mine.inventory,
            detail: .object([
                "previous": previous.eventDetail, "reason": .string(reason.rawValue), "new_owner": mine.eventDetail,
                "previous_key": .string(previous.inventory),
            ]),
            at: mine.heartbeatAt, db)
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
