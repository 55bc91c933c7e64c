import Foundation
import GRDB

extension SQLiteJournalStore {
    func recordConfigFiles(
        _ files: [ConfigFileEntry], host: String, in rolloutID: Int64, at date: Date = Date()
    ) async throws {
        try await journalWrite { db in
            let hostID = try Self.hostID(host, rolloutID, db)
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO config_file (rollout_id, host_id, path, source, sha256, size, mode, previous_sha256,
                                             switched_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            let now = JournalTime.string(from: date)
            for file in files {
                try insert.execute(arguments: [
                    rolloutID, hostID, file.path, file.source, file.sha256, file.size, file.mode, file.previousSHA256,
                    now,
                ])
            }
        }
    }

    func markConfigFilesRestored(host: String, in rolloutID: Int64, at date: Date = Date()) async throws {
        try await journalWrite { db in
            let hostID = try Self.hostID(host, rolloutID, db)
            try db.execute(
                sql: "UPDATE config_file SET restored_at = ? WHERE host_id = ? AND restored_at IS NULL",
                arguments: [JournalTime.string(from: date), hostID])
        }
    }

    func liveConfigFiles(inventory: String?, host: String, at date: Date) async throws -> [ConfigFileRecord] {
        try await pool.read { db in
            try ConfigFileQuery.live(db, inventory: inventory, host: host, at: JournalTime.string(from: date))
        }
    }

    static func hostID(_ host: String, _ rolloutID: Int64, _ db: Database) throws -> Int64 {
        guard
            let id = try Int64.fetchOne(
                db, sql: "SELECT id FROM rollout_host WHERE rollout_id = ? AND name = ?", arguments: [rolloutID, host])
        else { throw JournalError.unknownHost(host, rolloutID) }
        return id
    }
}

/// Reads `config_file` rows.
enum ConfigFileQuery {
    static let columns = """
        f.rollout_id, h.name, f.path, f.source, f.sha256, f.size, f.mode, f.previous_sha256, f.switched_at,
        f.restored_at
        """

    /// Every file of one rollout, by host id, in the order recorded.
    static func byHost(_ db: Database, rolloutID: Int64) throws -> [Int64: [ConfigFileRecord]] {
        var result: [Int64: [ConfigFileRecord]] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT f.host_id, \(columns) FROM config_file f JOIN rollout_host h ON h.id = f.host_id
                WHERE f.rollout_id = ? ORDER BY f.host_id, f.id
                """,
            arguments: [rolloutID])
        while let row = try rows.next() {
            result[row[0], default: []].append(try record(row, offset: 1))
        }
        return result
    }

    static func live(_ db: Database, inventory: String?, host: String, at: String) throws -> [ConfigFileRecord] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT \(columns) FROM (
                    SELECT f.*, row_number() OVER (PARTITION BY f.path ORDER BY f.switched_at DESC, f.id DESC) AS rank
                    FROM config_file f
                    JOIN rollout_host h ON h.id = f.host_id
                    JOIN rollout r ON r.id = f.rollout_id
                    WHERE (:inventory IS NULL OR r.inventory = :inventory) AND h.name = :host AND f.switched_at <= :at
                      AND (f.restored_at IS NULL OR f.restored_at > :at)
                ) f JOIN rollout_host h ON h.id = f.host_id
                WHERE f.rank = 1
                ORDER BY f.path
                """,
            arguments: ["inventory": inventory, "host": host, "at": at]
        ).map { try record($0, offset: 0) }
    }

    private static func record(_ row: Row, offset: Int) throws -> ConfigFileRecord {
        ConfigFileRecord(
            rolloutID: try row.decode(atIndex: offset), host: try row.decode(atIndex: offset + 1),
            file: ConfigFileEntry(
                path: try row.decode(atIndex: offset + 2), source: try row.decode(atIndex: offset + 3),
                sha256: try row.decode(atIndex: offset + 4), size: try row.decode(atIndex: offset + 5),
                mode: try row.decode(atIndex: offset + 6), previousSHA256: try row.decode(atIndex: offset + 7)),
            switchedAt: try row.journalDate(atIndex: offset + 8),
            restoredAt: try row.journalDateIfPresent(atIndex: offset + 9))
    }
}
