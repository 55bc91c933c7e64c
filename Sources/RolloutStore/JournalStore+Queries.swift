import Foundation

extension JournalStore {
    /// The latest rollouts, newest first (by start time, then id), with host counts; one SQL statement.
    public func history(inventory: String? = nil, limit: Int = 20) async throws -> [RolloutSummary] {
        try await history(inventories: inventory.map { [$0] }, limit: limit)
    }

    /// Like ``history(inventory:limit:)``, for rollouts journaled under any of `inventories` (the spellings of one
    /// fleet, ``InventoryIdentity/spellings(of:among:)``); nil: every rollout.
    public func history(inventories: [String]?, limit: Int = 20) async throws -> [RolloutSummary] {
        try await backend.history(inventories: inventories, limit: limit)
    }

    /// Every inventory name rollouts were journaled under, sorted.
    public func inventoryNames() async throws -> [String] {
        try await backend.inventoryNames()
    }

    /// One rollout with its hosts (plan order), their phases and its events; nil for an unknown id.
    /// A constant number of statements, whatever the number of hosts. `includeJSON: false` leaves `plan` and the
    /// phases' `detail` nil without reading or parsing them (what a text report needs).
    public func rollout(_ id: Int64, includeJSON: Bool = true) async throws -> RolloutDetail? {
        try await backend.rollout(id, includeJSON: includeJSON)
    }

    /// Rollouts that `rollout resume` has to finish (`running` or `interrupted`), newest first, in full.
    public func unfinishedRollouts(inventory: String? = nil) async throws -> [RolloutDetail] {
        try await backend.unfinishedRollouts(inventory: inventory)
    }

    /// Every spelling under which rollouts of the fleet whose inventory file is at `path` were journaled: its
    /// key (``fleetKey(ofFile:)``) and each journaled name that resolves to the same file (``InventoryIdentity``).
    public func fleetSpellings(ofFile path: String) async throws -> [String] {
        fleetSpellings(of: fleetKey(ofFile: path), among: try await inventoryNames())
    }

    /// The key the fleet whose inventory file is at `path` is locked under: its canonical path in a SQLite journal
    /// (one machine), its path inside the project (`inventories/lab.yml`) in a PostgreSQL journal, so that every
    /// machine sharing the journal locks the same fleet under the same key (``InventoryIdentity``).
    public func fleetKey(ofFile path: String) -> String {
        backend.isShared ? InventoryIdentity.projectKey(ofFile: path) : InventoryIdentity.key(ofFile: path)
    }

    /// Of `names` (journaled inventories or lock keys), `key` and those that name the same fleet.
    public func fleetSpellings(of key: String, among names: [String]) -> [String] {
        backend.isShared
            ? InventoryIdentity.projectSpellings(of: key, among: names)
            : InventoryIdentity.spellings(of: key, among: names)
    }

    /// Rollouts of the fleet journaled under `inventories` (its spellings, ``fleetSpellings(ofFile:)``) that
    /// `rollout resume` could still continue (``RolloutStatus/isResumable``), oldest first, in full; simulations
    /// (`rollout deploy --simulate`) are left out, as they never touched a host.
    public func resumableRollouts(inventories: [String]) async throws -> [RolloutDetail] {
        try await backend.resumableRollouts(inventories: inventories)
    }

    /// The first rollout of the same fleet (journaled under one of `inventories`, its spellings) begun after
    /// rollout `id` (simulations aside): the one that supersedes it, so that resuming `id` would undo newer work.
    /// Nil when `id` is the newest (or unknown).
    public func newerRollout(than id: Int64, inventories: [String]) async throws -> RolloutSummary? {
        try await backend.newerRollout(than: id, inventories: inventories)
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
        try await backend.lastFullySucceededVersion(inventories: inventories, excluding: excluding)
    }

    /// What each host of the inventory last successfully got (see ``HostVersion``), sorted by host name.
    public func currentVersions(inventory: String) async throws -> [HostVersion] {
        try await backend.currentVersions(inventory: inventory)
    }

    /// The events of one rollout, oldest first.
    public func events(rolloutID: Int64) async throws -> [JournalEvent] {
        try await backend.events(rolloutID: rolloutID)
    }

    /// The latest events of an inventory (all inventories when nil), optionally of one kind, newest first.
    public func events(inventory: String? = nil, kind: EventKind? = nil, limit: Int = 100) async throws
        -> [JournalEvent]
    {
        try await backend.events(inventory: inventory, kind: kind, limit: limit)
    }

    /// The configuration files live on `host` at `date`, per path: the latest one switched at or before `date`
    /// and not restored by then, in rollouts of `inventory` (nil: any). Paths no `reload` rollout ever switched
    /// are not known.
    public func liveConfigFiles(inventory: String?, host: String, at date: Date) async throws -> [ConfigFileRecord] {
        try await backend.liveConfigFiles(inventory: inventory, host: host, at: date)
    }
}
