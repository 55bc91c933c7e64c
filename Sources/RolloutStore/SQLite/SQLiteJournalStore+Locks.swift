import Foundation
import GRDB

extension SQLiteJournalStore {
    func acquireLock(
        inventory: String, owner: LockOwner, lease: Duration, now: Date, aliases: [String],
        isProcessAlive: @escaping @Sendable (Int32) -> Bool, processStart: @escaping @Sendable (Int32) -> String?
    ) async throws -> LockAcquisition {
        let asked = LockStep.lease(inventory: inventory, owner: owner, lease: lease, now: now)
        return try await journalWrite { db in
            var mine = asked
            var takenOver: (LockLease, TakeoverReason)?
            for alias in aliases where alias != inventory {
                guard let legacy = try LockRow.fetchOne(db, key: alias).map(LockLease.init) else { continue }
                guard
                    let reason = legacy.takeoverReason(
                        at: mine.heartbeatAt, fromHost: owner.identity.host, isProcessAlive: isProcessAlive,
                        processStart: processStart)
                else { return .held(by: legacy) }
                _ = try LockRow.deleteOne(db, key: alias)
                try Self.recordTakeover(of: legacy, by: mine, reason: reason, db)
                takenOver = (legacy, reason)
            }
            let current = try LockRow.fetchOne(db, key: inventory).map(LockLease.init)
            switch LockStep.decide(
                current: current, mine: mine, isProcessAlive: isProcessAlive, processStart: processStart)
            {
            case .held(let holder):
                return .held(by: holder)
            case .insert:
                mine.fence = try Self.issueFence(for: inventory, at: mine.acquiredAt, db)
                try mine.row.insert(db)
            case .renew(let renewed):
                try renewed.row.update(db)
                return takenOver.map { .acquiredByTakeover(renewed, previous: $0.0, reason: $0.1) }
                    ?? .acquired(renewed)
            case .takeOver(let previous, let reason):
                mine.fence = try Self.issueFence(for: inventory, at: mine.acquiredAt, db)
                try mine.row.update(db)
                try Self.recordTakeover(of: previous, by: mine, reason: reason, db)
                return .acquiredByTakeover(mine, previous: previous, reason: reason)
            }
            return takenOver.map { .acquiredByTakeover(mine, previous: $0.0, reason: $0.1) } ?? .acquired(mine)
        }
    }

    private static func recordTakeover(
        of previous: LockLease, by mine: LockLease, reason: TakeoverReason, _ db: Database
    )
        throws
    {
        let event = LockStep.takeoverEvent(of: previous, by: mine, reason: reason)
        try insertEvent(
            .lockTakeover, message: event.message, inventory: mine.inventory, detail: event.detail,
            at: mine.heartbeatAt,
            db)
    }

    @discardableResult
    func renewLock(inventory: String, owner: LockOwner, lease: Duration, now: Date = Date()) async throws
        -> LockLease
    {
        try await journalWrite { db in
            guard var current = try LockRow.fetchOne(db, key: inventory).map(LockLease.init),
                current.owner.token == owner.token
            else {
                let holder = try LockRow.fetchOne(db, key: inventory).map { LockLease($0).owner.displayName }
                throw JournalError.lockNotHeld(inventory, holder: holder)
            }
            current.heartbeatAt = JournalTime.rounded(now)
            current.expiresAt = JournalTime.rounded(JournalDuration.adding(lease, to: now))
            try current.row.update(db)
            return current
        }
    }

    @discardableResult
    func releaseLock(inventory: String, owner: LockOwner) async throws -> Bool {
        try await journalWrite { db in
            try db.execute(
                sql: "DELETE FROM inventory_lock WHERE inventory = ? AND owner_token = ?",
                arguments: [inventory, owner.token])
            return db.changesCount > 0
        }
    }

    @discardableResult
    func forceReleaseLock(inventory: String, releasedBy: ControllerIdentity, now: Date = Date()) async throws
        -> LockLease?
    {
        try await journalWrite { db in
            guard let current = try LockRow.fetchOne(db, key: inventory).map(LockLease.init) else { return nil }
            _ = try LockRow.deleteOne(db, key: inventory)
            let event = LockStep.forceReleaseEvent(of: current, releasedBy: releasedBy)
            try Self.insertEvent(
                .lockForceRelease, message: event.message, inventory: inventory, detail: event.detail, at: now, db)
            return current
        }
    }

    func lockStatus(inventory: String? = nil) async throws -> [LockLease] {
        try await pool.read { db in
            try LockRow.fetchAll(
                db, sql: "SELECT * FROM inventory_lock WHERE ?1 IS NULL OR inventory = ?1 ORDER BY inventory",
                arguments: [inventory]
            ).map(LockLease.init)
        }
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

    func lastFence(inventory: String) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT last_fence FROM lock_fence WHERE inventory = ?", arguments: [inventory])
        }
    }
}
