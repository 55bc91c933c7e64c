import GRDB

extension SQLiteJournalStore {

    func history(inventories: [String]?, limit: Int = 20) async throws -> [RolloutSummary] {
        try await pool.read { db in try HistoryQuery.fetch(db, inventories: inventories, limit: limit) }
    }

    func inventoryNames() async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT inventory FROM rollout ORDER BY inventory")
        }
    }

    func rollout(_ id: Int64, includeJSON: Bool = true) async throws -> RolloutDetail? {
        try await pool.read { db in try DetailQuery.fetch(db, id: id, includeJSON: includeJSON) }
    }

    func unfinishedRollouts(inventory: String? = nil) async throws -> [RolloutDetail] {
        try await pool.read { db in
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM rollout
                    WHERE status IN ('running', 'interrupted') AND (?1 IS NULL OR inventory = ?1)
                    ORDER BY started_at DESC, id DESC
                    """,
                arguments: [inventory])
            return try ids.compactMap { try DetailQuery.fetch(db, id: $0) }
        }
    }

    func resumableRollouts(inventories: [String]) async throws -> [RolloutDetail] {
        try await pool.read { db in
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM rollout
                    WHERE inventory IN (\(databaseQuestionMarks(count: inventories.count)))
                      AND status IN (\(RolloutStatus.resumableSQL))
                      AND coalesce(strategy, '') NOT LIKE 'SIMULATED%'
                    ORDER BY id
                    """,
                arguments: StatementArguments(inventories))
            return try ids.compactMap { try DetailQuery.fetch(db, id: $0) }
        }
    }

    func newerRollout(than id: Int64, inventories: [String]) async throws -> RolloutSummary? {
        try await pool.read { db in
            guard
                let newer = try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT id FROM rollout
                        WHERE inventory IN (\(databaseQuestionMarks(count: inventories.count))) AND id > ?
                          AND coalesce(strategy, '') NOT LIKE 'SIMULATED%'
                        ORDER BY id LIMIT 1
                        """,
                    arguments: StatementArguments(inventories) + [id])
            else { return nil }
            return try DetailQuery.fetch(db, id: newer, includeJSON: false)?.summary
        }
    }

    func lastFullySucceededVersion(inventories: [String], excluding: String? = nil) async throws -> String? {
        try await pool.read { db in
            try VersionQueries.lastFullySucceededVersion(db, inventories: inventories, excluding: excluding)
        }
    }

    func currentVersions(inventory: String) async throws -> [HostVersion] {
        try await pool.read { db in try VersionQueries.currentVersions(db, inventory: inventory) }
    }
}
