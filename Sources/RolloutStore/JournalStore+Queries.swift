import GRDB

extension JournalStore {
    /// The latest rollouts, newest first (by start time, then id), with host counts; one SQL statement.
    public func history(inventory: String? = nil, limit: Int = 20) async throws -> [RolloutSummary] {
        try await history(inventories: inventory.map { [$0] }, limit: limit)
    }

    /// Like ``history(inventory:limit:)``, for rollouts journaled under any of `inventories` (the spellings of one
    /// fleet, ``InventoryIdentity/spellings(of:among:)``); nil: every rollout.
    public func history(inventories: [String]?, limit: Int = 20) async throws -> [RolloutSummary] {
        try await pool.read { db in try HistoryQuery.fetch(db, inventories: inventories, limit: limit) }
    }

    /// Every inventory name rollouts were journaled under, sorted.
    public func inventoryNames() async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT inventory FROM rollout ORDER BY inventory")
        }
    }

    /// One rollout with its hosts (plan order), their phases and its events; nil for an unknown id.
    /// A constant number of statements, whatever the number of hosts. `includeJSON: false` leaves `plan` and the
    /// phases' `detail` nil without reading or parsing them (what a text report needs).
    public func rollout(_ id: Int64, includeJSON: Bool = true) async throws -> RolloutDetail? {
        try await pool.read { db in try DetailQuery.fetch(db, id: id, includeJSON: includeJSON) }
    }

    /// Rollouts that `rollout resume` has to finish (`running` or `interrupted`), newest first, in full.
    public func unfinishedRollouts(inventory: String? = nil) async throws -> [RolloutDetail] {
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

    /// Every spelling under which rollouts of the fleet whose inventory file is at `path` were journaled: its
    /// canonical path and each journaled name that resolves to the same file (``InventoryIdentity``).
    public func fleetSpellings(ofFile path: String) async throws -> [String] {
        InventoryIdentity.spellings(of: InventoryIdentity.key(ofFile: path), among: try await inventoryNames())
    }

    /// Rollouts of the fleet journaled under `inventories` (its spellings, ``fleetSpellings(ofFile:)``) that
    /// `rollout resume` could still continue (``RolloutStatus/isResumable``), oldest first, in full; simulations
    /// (`rollout deploy --simulate`) are left out, as they never touched a host.
    public func resumableRollouts(inventories: [String]) async throws -> [RolloutDetail] {
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

    /// The first rollout of the same fleet (journaled under one of `inventories`, its spellings) begun after
    /// rollout `id` (simulations aside): the one that supersedes it, so that resuming `id` would undo newer work.
    /// Nil when `id` is the newest (or unknown).
    public func newerRollout(than id: Int64, inventories: [String]) async throws -> RolloutSummary? {
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

    /// The default target of `rollout rollback`: the version of the latest `succeeded` rollout of the
    /// inventory in which every host succeeded (or was unchanged). Pass the version now deployed as
    /// `excluding` to get the one before it.
    public func lastFullySucceededVersion(inventory: String, excluding: String? = nil) async throws -> String? {
        try await lastFullySucceededVersion(inventories: [inventory], excluding: excluding)
    }

    /// Like ``lastFullySucceededVersion(inventory:excluding:)``, over the rollouts journaled under any of
    /// `inventories` (the spellings of one fleet).
    public func lastFullySucceededVersion(inventories: [String], excluding: String? = nil) async throws -> String? {
        try await pool.read { db in
            try VersionQueries.lastFullySucceededVersion(db, inventories: inventories, excluding: excluding)
        }
    }

    /// What each host of the inventory last successfully got (see ``HostVersion``), sorted by host name.
    public func currentVersions(inventory: String) async throws -> [HostVersion] {
        try await pool.read { db in try VersionQueries.currentVersions(db, inventory: inventory) }
    }
}
