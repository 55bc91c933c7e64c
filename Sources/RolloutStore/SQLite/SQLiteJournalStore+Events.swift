import Foundation
import GRDB
import RolloutJSON

extension SQLiteJournalStore {
    @discardableResult
    func recordEvent(
        _ kind: EventKind, message: String, rolloutID: Int64? = nil, inventory: String? = nil,
        detail: JSONValue? = nil, at date: Date = Date()
    ) async throws -> Int64 {
        let detailText = try JSONValue.columnText(detail)
        return try await journalWrite { db in
            var inventory = inventory
            if let rolloutID {
                guard let row = try RolloutRow.fetchOne(db, key: rolloutID) else {
                    throw JournalError.unknownRollout(rolloutID)
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

    func updateEvent(_ id: Int64, message: String, detail: JSONValue?) async throws {
        let detailText = try JSONValue.columnText(detail)
        try await journalWrite { db in
            try db.execute(
                sql: "UPDATE event SET message = ?, detail = ? WHERE id = ?", arguments: [message, detailText, id])
            if db.changesCount == 0 { throw JournalError.unknownEvent(id) }
        }
    }

    func events(rolloutID: Int64) async throws -> [JournalEvent] {
        try await pool.read { db in
            try EventRow.fetchAll(
                db, sql: "SELECT * FROM event WHERE rollout_id = ? ORDER BY id", arguments: [rolloutID]
            )
            .map(JournalEvent.init)
        }
    }

    func events(inventory: String? = nil, kind: EventKind? = nil, limit: Int = 100) async throws
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
