import Foundation
import GRDB
import RolloutJSON

extension JournalStore {
    /// Records an event and returns its id. With a `rolloutID` and no `inventory`, the rollout's
    /// inventory is filled in so that `events(inventory:)` finds it.
    @discardableResult
    public func recordEvent(
        _ kind: EventKind, message: String, rolloutID: Int64? = nil, inventory: String? = nil,
        detail: JSONValue? = nil, at date: Date = Date()
    ) async throws -> Int64 {
        let detailText = try JSONValue.columnText(detail)
        return try await journalWrite { db in
            var inventory = inventory
            if let rolloutID {
                guard let row = try RolloutRow.fetchOne(db, key: rolloutID) else {
                    throw Self.unknownRollout(rolloutID)
                }
                inventory = inventory ?? row.inventory
            }
            let row = EventRow(
                id: nil, rolloutID: rolloutID, inventory: inventory, kind: kind.rawValue, message: message,
                detail: detailText, at: date)
            try row.insert(db)
            return db.lastInsertedRowID
        }
    }

    /// Closes an event journaled write-ahead (a rollout hook recorded as `running` before it ran): replaces its
    /// message and detail, keeping its kind, rollout and time.
    ///
    /// - Throws: ``JournalError`` `unknown_event` for an unknown id.
    public func updateEvent(_ id: Int64, message: String, detail: JSONValue?) async throws {
        let detailText = try JSONValue.columnText(detail)
        try await journalWrite { db in
            try db.execute(
                sql: "UPDATE event SET message = ?, detail = ? WHERE id = ?", arguments: [message, detailText, id])
            if db.changesCount == 0 { throw JournalError(.unknownEvent, "event \(id) is not in the journal") }
        }
    }

    /// The events of one rollout, oldest first.
    public func events(rolloutID: Int64) async throws -> [JournalEvent] {
        try await pool.read { db in
            try EventRow.fetchAll(
                db, sql: "SELECT * FROM event WHERE rollout_id = ? ORDER BY id", arguments: [rolloutID]
            )
            .map(JournalEvent.init)
        }
    }

    /// The latest events of an inventory (all inventories when nil), optionally of one kind, newest first.
    public func events(inventory: String? = nil, kind: EventKind? = nil, limit: Int = 100) async throws
        -> [JournalEvent]
    {
        try await pool.read { db in
            try EventRow.fetchAll(
                db,
                sql: """
                    SELECT * FROM event
                    WHERE (?1 IS NULL OR inventory = ?1) AND (?2 IS NULL OR kind = ?2)
                    ORDER BY id DESC LIMIT ?3
                    """,
                arguments: [inventory, kind?.rawValue, limit]
            ).map(JournalEvent.init)
        }
    }

    /// Inserts an event inside a transaction the caller already holds (lock takeovers).
    static func insertEvent(
        _ kind: EventKind, message: String, inventory: String?, detail: JSONValue?, at date: Date, _ db: Database
    ) throws {
        let row = EventRow(
            id: nil, rolloutID: nil, inventory: inventory, kind: kind.rawValue, message: message,
            detail: try JSONValue.columnText(detail), at: date)
        try row.insert(db)
    }
}
