import Foundation
import PostgresNIO
import RolloutJSON

extension PostgresJournalStore {
    /// The same query as SQLite's ``HistoryQuery``: the rollouts limited first, then the hosts of only those
    /// counted, never reading `plan`.
    func history(inventories: [String]?, limit: Int) async throws -> [RolloutSummary] {
        try await read { connection in
            try await connection.run(
                """
                WITH recent AS (
                    SELECT id FROM rollout WHERE \(inventories)::text[] IS NULL OR inventory = ANY(\(inventories))
                    ORDER BY started_at DESC, id DESC
                    LIMIT \(Int64(limit))
                ),
                counts AS (
                    SELECT h.rollout_id,
                           count(*) AS hosts_total,
                           count(*) FILTER (WHERE h.status IN ('succeeded', 'unchanged')) AS hosts_ok,
                           count(*) FILTER (WHERE h.status = 'failed') AS hosts_failed,
                           count(*) FILTER (WHERE h.status = 'rolled_back') AS hosts_rolled_back,
                           count(*) FILTER (WHERE h.status = 'running') AS hosts_running,
                           count(*) FILTER (WHERE h.status = 'pending') AS hosts_pending,
                           count(*) FILTER (WHERE h.status = 'skipped') AS hosts_skipped
                    FROM rollout_host h WHERE h.rollout_id IN (SELECT id FROM recent)
                    GROUP BY h.rollout_id
                )
                SELECT \(unescaped: RolloutRow.selection(includePlan: false, prefix: "r.")),
                       coalesce(c.hosts_total, 0), coalesce(c.hosts_ok, 0), coalesce(c.hosts_failed, 0),
                       coalesce(c.hosts_rolled_back, 0), coalesce(c.hosts_running, 0), coalesce(c.hosts_pending, 0),
                       coalesce(c.hosts_skipped, 0)
                FROM recent JOIN rollout r ON r.id = recent.id LEFT JOIN counts c ON c.rollout_id = r.id
                ORDER BY r.started_at DESC, r.id DESC
                """
            ).map { row in
                let columns = PostgresColumns(row)
                let count = { (index: Int) in Int(try columns.value(15 + index, Int64.self)) }
                let counts = HostCounts(
                    total: try count(0), ok: try count(1), failed: try count(2), rolledBack: try count(3),
                    running: try count(4), pending: try count(5), skipped: try count(6))
                return RolloutSummary(try RolloutRow(columns, includePlan: false), counts: counts)
            }
        }
    }

    func inventoryNames() async throws -> [String] {
        try await read { connection in
            try await connection.run("SELECT DISTINCT inventory FROM rollout ORDER BY inventory").map {
                try $0.decode(String.self)
            }
        }
    }

    func rollout(_ id: Int64, includeJSON: Bool) async throws -> RolloutDetail? {
        try await read { connection in try await Self.detail(id, includeJSON: includeJSON, connection) }
    }

    func unfinishedRollouts(inventory: String?) async throws -> [RolloutDetail] {
        try await read { connection in
            let ids = try await connection.run(
                """
                SELECT id FROM rollout
                WHERE status IN ('running', 'interrupted') AND (\(inventory)::text IS NULL OR inventory = \(inventory))
                ORDER BY started_at DESC, id DESC
                """
            ).map { try $0.decode(Int64.self) }
            return try await Self.details(ids, connection)
        }
    }

    func resumableRollouts(inventories: [String]) async throws -> [RolloutDetail] {
        try await read { connection in
            let ids = try await connection.run(
                """
                SELECT id FROM rollout
                WHERE inventory = ANY(\(inventories)) AND status IN (\(unescaped: RolloutStatus.resumableSQL))
                  AND coalesce(strategy, '') NOT LIKE 'SIMULATED%'
                ORDER BY id
                """
            ).map { try $0.decode(Int64.self) }
            return try await Self.details(ids, connection)
        }
    }

    func newerRollout(than id: Int64, inventories: [String]) async throws -> RolloutSummary? {
        try await read { connection in
            let rows = try await connection.run(
                """
                SELECT id FROM rollout
                WHERE inventory = ANY(\(inventories)) AND id > \(id) AND coalesce(strategy, '') NOT LIKE 'SIMULATED%'
                ORDER BY id LIMIT 1
                """)
            guard let newer = try rows.first?.decode(Int64.self) else { return nil }
            return try await Self.detail(newer, includeJSON: false, connection)?.summary
        }
    }

    func lastFullySucceededVersion(inventories: [String], excluding: String?) async throws -> String? {
        try await read { connection in
            try await connection.run(
                """
                SELECT r.version FROM rollout r
                WHERE r.inventory = ANY(\(inventories)) AND (\(excluding)::text IS NULL OR r.version <> \(excluding))
                \(unescaped: VersionQueries.fullySucceeded)
                """
            ).first?.decode(String.self)
        }
    }

    func currentVersions(inventory: String) async throws -> [HostVersion] {
        try await read { connection in
            var bindings = PostgresBindings()
            bindings.append(inventory)
            return try await connection.run(
                PostgresQuery(unsafeSQL: VersionQueries.currentVersionsSQL(inventory: "$1"), binds: bindings)
            ).map { row in
                let columns = PostgresColumns(row)
                return HostVersion(
                    host: try columns.value(0), version: try columns.value(1), rolloutID: try columns.value(2),
                    at: try columns.date(3))
            }
        }
    }

    private static func details(_ ids: [Int64], _ connection: PostgresConnection) async throws -> [RolloutDetail] {
        var result: [RolloutDetail] = []
        for id in ids {
            if let detail = try await detail(id, includeJSON: true, connection) { result.append(detail) }
        }
        return result
    }

    /// `rollout show`: the rollout, its hosts, phases, configuration files and events in five statements (as
    /// ``DetailQuery``), whatever the number of hosts.
    static func detail(_ id: Int64, includeJSON: Bool, _ connection: PostgresConnection) async throws
        -> RolloutDetail?
    {
        let selection = RolloutRow.selection(includePlan: includeJSON)
        guard
            let rolloutRow = try await connection.run("SELECT \(unescaped: selection) FROM rollout WHERE id = \(id)")
                .first
        else { return nil }
        let rollout = try RolloutRow(PostgresColumns(rolloutRow), includePlan: includeJSON)
        let hostRows = try await connection.run(
            "SELECT \(unescaped: HostRow.selection) FROM rollout_host WHERE rollout_id = \(id) ORDER BY position, id"
        ).map { try HostRow(PostgresColumns($0)) }
        var phasesByHost: [Int64: [PhaseEntry]] = [:]
        phasesByHost.reserveCapacity(hostRows.count)
        let phases = try await connection.query(
            "SELECT \(unescaped: PhaseRow.selection) FROM phase WHERE rollout_id = \(id) ORDER BY host_id, id",
            logger: PostgresLog.logger)
        for try await row in phases {
            let phase = try PhaseRow(PostgresColumns(row))
            phasesByHost[phase.hostID, default: []].append(try PhaseEntry(phase, parsingDetail: includeJSON))
        }
        let filesByHost = try await configFilesByHost(id, connection)
        let hosts = hostRows.map {
            HostDetail($0, phases: phasesByHost[$0.id ?? 0] ?? [], files: filesByHost[$0.id ?? 0] ?? [])
        }
        let events = try await events(ofRollout: id, connection)
        return RolloutDetail(
            summary: RolloutSummary(rollout, counts: DetailQuery.counts(hosts)),
            plan: try JSONValue.fromColumn(rollout.plan), hosts: hosts, events: events)
    }
}
