import Foundation
import GRDB

/// The rollout journal: one SQLite database (WAL) that records every rollout, host, phase, event and
/// inventory lock, so that it always says where each host stands.
///
/// Guarantees:
/// - `init` creates the parent directory and the file if needed and applies the named migrations;
///   opening an up-to-date file again (from this process or another) changes nothing.
/// - Every write method is atomic and durable: it runs in a `BEGIN IMMEDIATE` transaction committed with
///   `synchronous=FULL` (concurrent writes share one transaction, each in its own savepoint: group commit);
///   when it returns, the row survives a crash or power loss; when it throws, nothing of it was written.
///   A write runs to completion even when the calling task is cancelled (a stopping controller must
///   still journal how it stopped); reads of a cancelled task throw `CancellationError`.
/// - Several controllers may share the file: a writer waits up to `busyTimeout` for another's
///   transaction instead of failing, and readers never block writers (WAL).
/// - Foreign keys are enforced and journal rows are never deleted (a trigger refuses it).
///
/// Timestamps are UTC ISO-8601 text with milliseconds; see ``JournalTime``.
final class SQLiteJournalStore: JournalBackend {
    /// The database file.
    let path: String
    let pool: DatabasePool
    let writes = JournalWriteQueue()

    /// Opens (creating if needed) the journal at `path` and brings its schema up to date.
    ///
    /// - Parameter busyTimeout: how long a write waits for another process's transaction.
    /// - Throws: ``JournalError`` `cannot_open` when the directory or file cannot be created or the file
    ///   is not a SQLite database; GRDB's `DatabaseError` for other SQLite failures (disk full, I/O error).
    init(path: String, busyTimeout: Duration = .seconds(10)) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw JournalError(
                .cannotOpen, "cannot create the directory of the journal \(path): \(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(JournalDuration.seconds(busyTimeout))
        configuration.prepareDatabase { db in
            // FULL: a commit is durable before the write method returns (WAL's default NORMAL may lose
            // the last transactions on power loss, and the journal must not lose a step it reported).
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
        }
        do {
            pool = try Self.openPool(path, configuration, patience: busyTimeout)
            try Self.migrate(pool)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN {
            throw JournalError(.cannotOpen, "cannot open the journal \(path): \(error.message ?? "\(error)")")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw JournalError(
                .cannotOpen, "\(path) is not a SQLite database; point --state at the journal (.rollout/state.db)")
        }
    }

    /// Opens the pool, retrying while SQLite answers SQLITE_BUSY. Two controllers creating the journal at the same moment
    /// both switch the new file to WAL; when each holds a shared lock and wants the exclusive one, SQLite refuses one
    /// of them at once (waiting would deadlock, so the busy timeout does not apply): "database is locked - while
    /// executing `PRAGMA journal_mode = WAL`", seen in CI. Once the other has finished, opening succeeds.
    private static func openPool(_ path: String, _ configuration: Configuration, patience: Duration) throws
        -> DatabasePool
    {
        let deadline = ContinuousClock.now + patience
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && ContinuousClock.now < deadline
            {
                usleep(UInt32.random(in: 10_000...60_000))
            }
        }
    }

    /// Applies the pending migrations, tolerating another process that migrates the same file at the
    /// same moment: GRDB reads the applied names before its per-migration transaction, so the loser of
    /// that race fails with "table already exists"; it then finds everything applied and carries on.
    private static func migrate(_ pool: DatabasePool) throws {
        let migrator = JournalMigrations.migrator
        var attempt = 0
        while true {
            do {
                try migrator.migrate(pool)
                return
            } catch {
                attempt += 1
                if try pool.read(migrator.hasCompletedMigrations) { return }
                if attempt >= 3 { throw error }
            }
        }
    }

    /// Runs `updates` in a `BEGIN IMMEDIATE` transaction and returns once it is committed (durable), to
    /// completion even when the calling task is cancelled. GRDB's async `write` throws `CancellationError` (and
    /// interrupts a running statement) in a cancelled task, but a controller stopped by Ctrl-C cancels its tasks
    /// and must still journal how each step ended and that it was interrupted.
    ///
    /// Group commit: writes that arrive while a transaction commits are queued and then run together in the next
    /// transaction, each in its own savepoint (one that throws is rolled back alone and its caller gets the
    /// error). Every caller still waits for the commit that holds its rows, so "journaled before it is carried
    /// out" holds exactly as with one transaction per write; what changes is that 200 hosts in flight share
    /// one fsync instead of queueing for 200.
    func journalWrite<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueueWrite(updates) { continuation.resume(with: $0) }
        }
    }

    /// Queues `updates` for the next group commit and returns at once; `completion` gets its result once that
    /// commit is done (or failed). Writes commit in the order they are queued, so a write queued after this one
    /// and awaited guarantees that this one is durable too.
    func enqueueWrite<T: Sendable>(
        _ updates: @escaping @Sendable (Database) throws -> T,
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) {
        writes.enqueue(
            pool,
            JournalWriteQueue.Write(
                run: { db in
                    do {
                        var result: T?
                        try db.inSavepoint {
                            result = try updates(db)
                            return .commit
                        }
                        let value = result!
                        return { commitError in completion(commitError.map { .failure($0) } ?? .success(value)) }
                    } catch {
                        return { _ in completion(.failure(error)) }
                    }
                },
                fail: { error in completion(.failure(error)) }))
    }

    var location: String { path }

    var isShared: Bool { false }

    /// The migrations applied to the file, in order (for diagnostics and tests).
    func appliedMigrations() async throws -> [String] {
        try await pool.read { db in try JournalMigrations.migrator.appliedMigrations(db) }
    }

    /// Nothing to wait for: a queued write completes on the pool's writer whether or not anyone awaits it.
    func close() async {}
}
