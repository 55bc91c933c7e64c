import Foundation
import PostgresNIO
import RolloutJSON

/// The lock on PostgreSQL: the same `inventory_lock` lease row as SQLite, read and written in the acquisition's
/// transaction after `LOCK TABLE ... SHARE ROW EXCLUSIVE` (which conflicts with itself), so acquisitions from any
/// number of machines are serialized like SQLite's `BEGIN IMMEDIATE` serializes processes on one machine. The
/// takeover rules are ``LockStep``'s: a holder on this host is judged by its pid, one on another host by its lease.
extension PostgresJournalStore {
    func acquireLock(
        inventory: String, owner: LockOwner, lease: Duration, now: Date, aliases: [String],
        isProcessAlive: @escaping @Sendable (Int32) -> Bool, processStart: @escaping @Sendable (Int32) -> String?
    ) async throws -> LockAcquisition {
        let asked = LockStep.lease(inventory: inventory, owner: owner, lease: lease, now: now)
        return try await journalWrite { connection in
            var mine = asked
            try await connection.run("LOCK TABLE inventory_lock IN SHARE ROW EXCLUSIVE MODE")
            var takenOver: (LockLease, TakeoverReason)?
            for alias in aliases where alias != inventory {
                guard let legacy = try await Self.lock(alias, connection) else { continue }
                guard
                    let reason = legacy.takeoverReason(
                        at: mine.heartbeatAt, fromHost: owner.identity.host, isProcessAlive: isProcessAlive,
                        processStart: processStart)
                else { return .held(by: legacy) }
                try await connection.run("DELETE FROM inventory_lock WHERE inventory = \(alias)")
                try await Self.recordTakeover(of: legacy, by: mine, reason: reason, connection)
                takenOver = (legacy, reason)
            }
            let current = try await Self.lock(inventory, connection)
            switch LockStep.decide(
                current: current, mine: mine, isProcessAlive: isProcessAlive, processStart: processStart)
            {
            case .held(let holder):
                return .held(by: holder)
            case .insert:
                mine.fence = try await Self.issueFence(for: inventory, at: mine.acquiredAt, connection)
                try await Self.write(mine, insert: true, connection)
            case .renew(let renewed):
                try await Self.write(renewed, insert: false, connection)
                return takenOver.map { .acquiredByTakeover(renewed, previous: $0.0, reason: $0.1) }
                    ?? .acquired(renewed)
            case .takeOver(let previous, let reason):
                mine.fence = try await Self.issueFence(for: inventory, at: mine.acquiredAt, connection)
                try await Self.write(mine, insert: false, connection)
                try await Self.recordTakeover(of: previous, by: mine, reason: reason, connection)
                return .acquiredByTakeover(mine, previous: previous, reason: reason)
            }
            return takenOver.map { .acquiredByTakeover(mine, previous: $0.0, reason: $0.1) } ?? .acquired(mine)
        }
    }

    func renewLock(inventory: String, owner: LockOwner, lease: Duration, now: Date) async throws -> LockLease {
        try await journalWrite { connection in
            let current = try await Self.lock(inventory, connection, forUpdate: true)
            guard var current, current.owner.token == owner.token else {
                throw JournalError.lockNotHeld(inventory, holder: current?.owner.displayName)
            }
            current.heartbeatAt = JournalTime.rounded(now)
            current.expiresAt = JournalTime.rounded(JournalDuration.adding(lease, to: now))
            try await Self.write(current, insert: false, connection)
            return current
        }
    }

    func releaseLock(inventory: String, owner: LockOwner) async throws -> Bool {
        try await journalWrite { connection in
            try await !connection.run(
                """
                DELETE FROM inventory_lock WHERE inventory = \(inventory) AND owner_token = \(owner.token)
                RETURNING inventory
                """
            ).isEmpty
        }
    }

    func forceReleaseLock(inventory: String, releasedBy: ControllerIdentity, now: Date) async throws -> LockLease? {
        try await journalWrite { connection in
            guard let current = try await Self.lock(inventory, connection, forUpdate: true) else { return nil }
            try await connection.run("DELETE FROM inventory_lock WHERE inventory = \(inventory)")
            let event = LockStep.forceReleaseEvent(of: current, releasedBy: releasedBy)
            _ = try await Self.insertEvent(
                .lockForceRelease, message: event.message, rolloutID: nil, inventory: inventory,
                detail: try JSONValue.columnText(event.detail), at: JournalTime.string(from: now), connection)
            return current
        }
    }

    func lockStatus(inventory: String?) async throws -> [LockLease] {
        try await read { connection in
            try await connection.run(
                """
                SELECT \(unescaped: LockRow.selection) FROM inventory_lock
                WHERE \(inventory)::text IS NULL OR inventory = \(inventory) ORDER BY inventory
                """
            ).map { LockLease(try LockRow(PostgresColumns($0))) }
        }
    }

    private static func lock(_ key: String, _ connection: PostgresConnection, forUpdate: Bool = false) async throws
        -> LockLease?
    {
        try await connection.run(
            """
            SELECT \(unescaped: LockRow.selection) FROM inventory_lock WHERE inventory = \(key)
            \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """
        ).first.map { LockLease(try LockRow(PostgresColumns($0))) }
    }

    private static func write(_ lease: LockLease, insert: Bool, _ connection: PostgresConnection) async throws {
        let row = lease.row
        let acquired = JournalTime.string(from: row.acquiredAt)
        let heartbeat = JournalTime.string(from: row.heartbeatAt)
        let expires = JournalTime.string(from: row.expiresAt)
        if insert {
            try await connection.run(
                """
                INSERT INTO inventory_lock (inventory, owner_user, owner_host, owner_pid, owner_ci_job, owner_token,
                                            owner_started, acquired_at, heartbeat_at, expires_at, fence)
                VALUES (\(row.inventory), \(row.ownerUser), \(row.ownerHost), \(Int64(row.ownerPid)), \(row.ownerCIJob),
                        \(row.ownerToken), \(row.ownerStarted), \(acquired), \(heartbeat), \(expires), \(row.fence))
                """)
        } else {
            try await connection.run(
                """
                UPDATE inventory_lock SET owner_user = \(row.ownerUser), owner_host = \(row.ownerHost),
                       owner_pid = \(Int64(row.ownerPid)), owner_ci_job = \(row.ownerCIJob),
                       owner_token = \(row.ownerToken), owner_started = \(row.ownerStarted), acquired_at = \(acquired),
                       heartbeat_at = \(heartbeat), expires_at = \(expires), fence = \(row.fence)
                WHERE inventory = \(row.inventory)
                """)
        }
    }

    private static func recordTakeover(
        of previous: LockLease, by mine: LockLease, reason: TakeoverReason, _ connection: PostgresConnection
    ) async throws {
        let event = LockStep.takeoverEvent(of: previous, by: mine, reason: reason)
        _ = try await insertEvent(
            .lockTakeover, message: event.message, rolloutID: nil, inventory: mine.inventory,
            detail: try JSONValue.columnText(event.detail), at: JournalTime.string(from: mine.heartbeatAt),
            connection)
    }

    /// The next fencing token for `key` (``FencingToken``), recorded in `lock_fence` in the acquisition's
    /// transaction: the same high-water mark per lock key as SQLite's, never reused.
    private static func issueFence(for key: String, at now: Date, _ connection: PostgresConnection) async throws
        -> Int64
    {
        let last =
            try await connection.run(
                """
                SELECT max(f) FROM (
                    SELECT last_fence AS f FROM lock_fence WHERE inventory = \(key)
                    UNION ALL SELECT fence FROM inventory_lock WHERE inventory = \(key)) known
                """
            ).first?.decode(Int64?.self) ?? nil
        let fence = FencingToken.next(after: last, now: now)
        let issued = JournalTime.string(from: now)
        try await connection.run(
            """
            INSERT INTO lock_fence (inventory, last_fence, issued_at) VALUES (\(key), \(fence), \(issued))
            ON CONFLICT (inventory) DO UPDATE SET last_fence = excluded.last_fence, issued_at = excluded.issued_at
            """)
        return fence
    }

    func lastFence(inventory: String) async throws -> Int64? {
        try await read { connection in
            try await connection.run("SELECT last_fence FROM lock_fence WHERE inventory = \(inventory)").first?.decode(
                Int64.self)
        }
    }
}
