import GRDB

/// `rollout history`: the latest rollouts with their host counts, in one statement.
enum HistoryQuery {
    /// Limits the rollouts first (by the `(inventory, started_at)` index when filtered), then counts
    /// the hosts of only those, so the cost does not grow with the size of older rollouts.
    static func fetch(_ db: Database, inventory: String?, limit: Int) throws -> [RolloutSummary] {
        let filter = inventory == nil ? "" : "WHERE inventory = :inventory"
        let sql = """
            WITH recent AS (
                SELECT * FROM rollout \(filter)
                ORDER BY started_at DESC, id DESC
                LIMIT :limit
            )
            SELECT recent.*,
                   count(h.id) AS hosts_total,
                   coalesce(sum(h.status IN ('succeeded', 'unchanged')), 0) AS hosts_ok,
                   coalesce(sum(h.status = 'failed'), 0) AS hosts_failed,
                   coalesce(sum(h.status = 'rolled_back'), 0) AS hosts_rolled_back,
                   coalesce(sum(h.status = 'running'), 0) AS hosts_running,
                   coalesce(sum(h.status = 'pending'), 0) AS hosts_pending,
                   coalesce(sum(h.status = 'skipped'), 0) AS hosts_skipped
            FROM recent LEFT JOIN rollout_host h ON h.rollout_id = recent.id
            GROUP BY recent.id
            ORDER BY recent.started_at DESC, recent.id DESC
            """
        var arguments: StatementArguments = ["limit": limit]
        if let inventory { arguments += ["inventory": inventory] }
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            let counts = HostCounts(
                total: row["hosts_total"], ok: row["hosts_ok"], failed: row["hosts_failed"],
                rolledBack: row["hosts_rolled_back"], running: row["hosts_running"], pending: row["hosts_pending"],
                skipped: row["hosts_skipped"])
            return RolloutSummary(try RolloutRow(row: row), counts: counts)
        }
    }
}
