import Foundation
import RolloutJSON

/// What a journal backend implements: every operation of ``JournalStore`` with all its arguments spelled out.
///
/// Two implementations: ``SQLiteJournalStore`` (a file, the default) and ``PostgresJournalStore`` (a shared
/// PostgreSQL database). Both keep the same schema, the same named migrations and the same guarantees: every write
/// is one transaction, durable when the method returns, and journal rows are never deleted. ``JournalStore``
/// documents each operation; a backend must behave identically, which the store tests check on both.
protocol JournalBackend: Sendable {
    /// Where the journal is, for messages: a file path, or a PostgreSQL URL without its password.
    var location: String { get }

    /// True when controllers on several machines share the journal (PostgreSQL): fleets are then keyed by their
    /// path inside the project (``InventoryIdentity/projectKey(ofFile:)``), not by an absolute path.
    var isShared: Bool { get }

    func appliedMigrations() async throws -> [String]

    // Rollouts and hosts
    func beginRollout(_ start: RolloutStart) async throws -> Int64
    func addHosts(_ hosts: [HostEntry], to rolloutID: Int64, at date: Date) async throws
    func setHostStatuses(_ updates: [HostStatusUpdate], in rolloutID: Int64, at date: Date) async throws
    func finishRollout(_ id: Int64, status: RolloutStatus, exitCode: Int32, error: String?, at date: Date) async throws
    func reopenRollout(_ id: Int64) async throws
    func supersedeRollout(
        _ id: Int64, by newer: Int64, message: String, detail: [String: JSONValue], at date: Date
    ) async throws -> Bool

    // Phases (write-ahead)
    func beginPhases(_ starts: [PhaseStart], in rolloutID: Int64, at date: Date) async throws -> [Int64]
    func finishPhases(_ finishes: [PhaseFinish], at date: Date) async throws
    func finishPhaseQueued(_ finish: PhaseFinish, at date: Date, onError: @escaping @Sendable (any Error) -> Void)
        throws

    // Events
    func recordEvent(
        _ kind: EventKind, message: String, rolloutID: Int64?, inventory: String?, detail: JSONValue?, at date: Date
    ) async throws -> Int64
    func updateEvent(_ id: Int64, message: String, detail: JSONValue?) async throws
    func events(rolloutID: Int64) async throws -> [JournalEvent]
    func events(inventory: String?, kind: EventKind?, limit: Int) async throws -> [JournalEvent]

    // Configuration files
    func recordConfigFiles(_ files: [ConfigFileEntry], host: String, in rolloutID: Int64, at date: Date) async throws
    func markConfigFilesRestored(host: String, in rolloutID: Int64, at date: Date) async throws
    func liveConfigFiles(inventory: String?, host: String, at date: Date) async throws -> [ConfigFileRecord]

    // Queries
    func history(inventories: [String]?, limit: Int) async throws -> [RolloutSummary]
    func inventoryNames() async throws -> [String]
    func rollout(_ id: Int64, includeJSON: Bool) async throws -> RolloutDetail?
    func unfinishedRollouts(inventory: String?) async throws -> [RolloutDetail]
    func resumableRollouts(inventories: [String]) async throws -> [RolloutDetail]
    func newerRollout(than id: Int64, inventories: [String]) async throws -> RolloutSummary?
    func lastFullySucceededVersion(inventories: [String], excluding: String?) async throws -> String?
    func currentVersions(inventory: String) async throws -> [HostVersion]

    // Locks
    func acquireLock(
        inventory: String, owner: LockOwner, lease: Duration, now: Date, aliases: [String],
        isProcessAlive: @escaping @Sendable (Int32) -> Bool, processStart: @escaping @Sendable (Int32) -> String?
    ) async throws -> LockAcquisition
    func renewLock(inventory: String, owner: LockOwner, lease: Duration, now: Date) async throws -> LockLease
    func releaseLock(inventory: String, owner: LockOwner) async throws -> Bool
    func forceReleaseLock(inventory: String, releasedBy: ControllerIdentity, now: Date) async throws -> LockLease?
    func lockStatus(inventory: String?) async throws -> [LockLease]
    func lastFence(inventory: String) async throws -> Int64?

    // Copying (`rollout state migrate`)
    /// Every row of `table`, by id, values in `table.columns`' order.
    func exportRows(_ table: JournalTable) async throws -> [[JournalValue]]
    /// Inserts the rows (ids included) of each table, in the order given, in one transaction; id sequences are
    /// moved past the highest id so that later rollouts get new ones.
    func importRows(_ tables: [(JournalTable, [[JournalValue]])]) async throws

    /// Waits for queued writes and closes connections; the backend is not used afterwards.
    func close() async
}
