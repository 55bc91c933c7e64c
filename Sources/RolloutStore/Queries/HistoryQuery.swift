import GRDB
import RolloutJSON

/// `rollout history`: the latest rollouts with their host counts, in one statement.
enum HistoryQuery {
    /// Limits the rollouts first (by the `(inventory, started_at)` index when filtered), then counts
    /// the hosts of only those (by the `(rollout_id, status)` index), so the cost does not grow with the size of
    /// older rollouts. The `plan` column (megabytes for a large fleet) is never read: counting hosts next to it
    /// made SQLite sort a copy of the plan per host row.
    static func fetch(_ db: Database, inventories: [String]?, limit: Int) throws -> [RolloutSummary] {
        let filter = inventories == nil ? "" : "WHERE inventory IN (SELECT value FROM json_each(:inventories))"
        let columns = RolloutRow.CodingKeys.allCases.filter { $0 != .plan }.map { "r.\($0.rawValue)" }
            .joined(separator: ", ")
        let sql = """
            WITH recent AS (
                SELECT id FROM rollout \(filter)
                ORDER BY started_at DESC, id DESC
                LIMIT :limit
            ),
            counts AS (
                SELECT h.rollout_id,
                       count(*) AS hosts_total,
                       sum(h.status IN ('succeeded', 'unchanged')) AS hosts_ok,
                       sum(h.status = 'failed') AS hosts_failed,
                       sum(h.status = 'rolled_back') AS hosts_rolled_back,
                       sum(h.status = 'running') AS hosts_running,
                       sum(h.status = 'pending') AS hosts_pending,
                       sum(h.status = 'skipped') AS hosts_skipped
                FROM rollout_host h WHERE h.rollout_id IN (SELECT id FROM recent)
                GROUP BY h.rollout_id
            )
            SELECT \(columns),
                   coalesce(c.hosts_total, 0) AS hosts_total, coalesce(c.hosts_ok, 0) AS hosts_ok,
                   coalesce(c.hosts_failed, 0) AS hosts_failed, coalesce(c.hosts_rolled_back, 0) AS hosts_rolled_back,
                   coalesce(c.hosts_running, 0) AS hosts_running, coalesce(c.hosts_pending, 0) AS hosts_pending,
                   coalesce(c.hosts_skipped, 0) AS hosts_skipped
            FROM recent JOIN rollout r ON r.id = recent.id LEFT JOIN counts c ON c.rollout_id = r.id
            ORDER BY r.started_at DESC, r.id DESC
            """
        var arguments: StatementArguments = ["limit": limit]
        if let inventories {
            arguments += ["inventories": try JSONValue.array(inventories.map(JSONValue.string)).compactText()]
        }
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            let counts = HostCounts(
                total: row["hosts_total"], ok: row["hosts_ok"], failed: row["hosts_failed"],
                rolledBack: row["hosts_rolled_back"], running: row["hosts_running"], pending: row["hosts_pending"],
                skipped: row["hosts_skipped"])
            return RolloutSummary(try RolloutRow(row: row), counts: counts)
        }
    }
}
