import Foundation
import PostgresNIO
import RolloutJSON

extension PostgresJournalStore {
    func recordEvent(
        _ kind: EventKind, message: String, rolloutID: Int64?, inventory: String?, detail: JSONValue?, at date: Date
    ) async throws -> Int64 {
        let detailText = try JSONValue.columnText(detail)
        let now = JournalTime.string(from: date)
        return try await journalWrite { connection in
            var inventory = inventory
            if let rolloutID {
                let rows = try await connection.run("SELECT inventory FROM rollout WHERE id = \(rolloutID)")
                guard let row = rows.first else { throw JournalError.unknownRollout(rolloutID) }
                inventory = try inventory ?? row.decode(String.self)
            }
            return try await Self.insertEvent(
                kind, message: message, rolloutID: rolloutID, inventory: inventory, detail: detailText, at: now,
                connection)
        }
    }

    func updateEvent(_ id: Int64, message: String, detail: JSONValue?) async throws {
        let detailText = try JSONValue.columnText(detail)
        try await journalWrite { connection in
            let changed = try await connection.run(
                "UPDATE event SET message = \(message), detail = \(detailText) WHERE id = \(id) RETURNING id")
            if changed.isEmpty { throw JournalError.unknownEvent(id) }
        }
    }

    func events(rolloutID: Int64) async throws -> [JournalEvent] {
        try await read { connection in try await Self.events(ofRollout: rolloutID, connection) }
    }

    func events(inventory: String?, kind: EventKind?, limit: Int) async throws -> [JournalEvent] {
        try await read { connection in
            try await connection.run(
                """
                SELECT \(unescaped: EventRow.selection) FROM event
                WHERE (\(inventory)::text IS NULL OR inventory = \(inventory))
                  AND (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue))
                ORDER BY id DESC LIMIT \(Int64(limit))
                """
            ).map { try JournalEvent(EventRow(PostgresColumns($0))) }
        }
    }

    static func events(ofRollout id: Int64, _ connection: PostgresConnection) async throws -> [JournalEvent] {
        try await connection.run(
            "SELECT \(unescaped: EventRow.selection) FROM event WHERE rollout_id = \(id) ORDER BY id"
        ).map { try JournalEvent(EventRow(PostgresColumns($0))) }
    }

    /// Inserts an event inside the caller's transaction; returns its id.
    static func insertEvent(
        _ kind: EventKind, message: String, rolloutID: Int64?, inventory: String?, detail: String?, at: String,
        _ connection: PostgresConnection
    ) async throws -> Int64 {
        try await connection.run(
            """
            INSERT INTO event (rollout_id, inventory, kind, message, detail, at)
            VALUES (\(rolloutID), \(inventory), \(kind.rawValue), \(message), \(detail), \(at))
            RETURNING id
            """
        )[0].decode(Int64.self)
    }
}
