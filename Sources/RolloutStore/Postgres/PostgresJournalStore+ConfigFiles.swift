import Foundation
import PostgresNIO

extension PostgresJournalStore {
    func recordConfigFiles(_ files: [ConfigFileEntry], host: String, in rolloutID: Int64, at date: Date) async throws {
        let now = JournalTime.string(from: date)
        try await journalWrite { connection in
            let hostID = try await Self.hostID(host, rolloutID, connection)
            for file in files {
                try await connection.run(
                    """
                    INSERT INTO config_file (rollout_id, host_id, path, source, sha256, size, mode, previous_sha256,
                                             switched_at)
                    VALUES (\(rolloutID), \(hostID), \(file.path), \(file.source), \(file.sha256), \(Int64(file.size)),
                            \(file.mode), \(file.previousSHA256), \(now))
                    """)
            }
        }
    }

    func markConfigFilesRestored(host: String, in rolloutID: Int64, at date: Date) async throws {
        let now = JournalTime.string(from: date)
        try await journalWrite { connection in
            let hostID = try await Self.hostID(host, rolloutID, connection)
            try await connection.run(
                "UPDATE config_file SET restored_at = \(now) WHERE host_id = \(hostID) AND restored_at IS NULL")
        }
    }

    func liveConfigFiles(inventory: String?, host: String, at date: Date) async throws -> [ConfigFileRecord] {
        let at = JournalTime.string(from: date)
        return try await read { connection in
            try await connection.run(
                """
                SELECT \(unescaped: ConfigFileQuery.columns) FROM (
                    SELECT f.*, row_number() OVER (PARTITION BY f.path ORDER BY f.switched_at DESC, f.id DESC) AS rank
                    FROM config_file f
                    JOIN rollout_host h ON h.id = f.host_id
                    JOIN rollout r ON r.id = f.rollout_id
                    WHERE (\(inventory)::text IS NULL OR r.inventory = \(inventory)) AND h.name = \(host)
                      AND f.switched_at <= \(at) AND (f.restored_at IS NULL OR f.restored_at > \(at))
                ) f JOIN rollout_host h ON h.id = f.host_id
                WHERE f.rank = 1
                ORDER BY f.path
                """
            ).map { try ConfigFileRecord(PostgresColumns($0), offset: 0) }
        }
    }

    /// Every configuration file of one rollout, by host id, in the order recorded.
    static func configFilesByHost(_ rolloutID: Int64, _ connection: PostgresConnection) async throws
        -> [Int64: [ConfigFileRecord]]
    {
        var result: [Int64: [ConfigFileRecord]] = [:]
        let rows = try await connection.run(
            """
            SELECT f.host_id, \(unescaped: ConfigFileQuery.columns)
            FROM config_file f JOIN rollout_host h ON h.id = f.host_id
            WHERE f.rollout_id = \(rolloutID) ORDER BY f.host_id, f.id
            """)
        for row in rows {
            let columns = PostgresColumns(row)
            result[try columns.value(0, Int64.self), default: []].append(try ConfigFileRecord(columns, offset: 1))
        }
        return result
    }
}
