import Foundation
import PostgresNIO

/// The journal in a PostgreSQL database shared by every controller of a team (`--state postgres://...`).
///
/// The same tables, columns, named migrations and guarantees as ``SQLiteJournalStore`` (see ``JournalStore``):
/// text timestamps in the journal's format, ids from identity columns that never reuse a value, triggers that refuse
/// to delete (or truncate) history, and every write one transaction, committed (durable: `synchronous_commit` is
/// the server's, `on` by default) before the method returns. Writes queue for one writer connection and run
/// together in the next transaction, each in its own savepoint (group commit); reads use a second connection in
/// `REPEATABLE READ` transactions, so a rollout's hosts, phases and events are one consistent snapshot.
///
/// A lost connection (the server restarted, the network dropped) is opened again: a write whose transaction did
/// not reach COMMIT is retried with backoff for up to ``retryPatience``, a read likewise; past that the caller gets
/// ``JournalError`` `unreachable`. A write whose connection died during COMMIT is not retried (it may have
/// committed): the caller gets the error and must treat the step as not journaled.
final class PostgresJournalStore: JournalBackend {
    let target: PostgresLocation
    let writer: PostgresSession
    let reader: PostgresSession
    let writes: PostgresWriteQueue
    /// How long a write or read keeps retrying while the server is unreachable.
    let retryPatience: Duration

    var location: String { target.description }

    var isShared: Bool { true }

    private init(_ location: PostgresLocation, retryPatience: Duration) {
        target = location
        writer = PostgresSession(location)
        reader = PostgresSession(location)
        writes = PostgresWriteQueue(session: writer, patience: retryPatience)
        self.retryPatience = retryPatience
    }

    /// Connects and brings the schema up to date (``PostgresMigrations``).
    ///
    /// - Throws: ``JournalError`` `unreachable` when the server cannot be reached or refuses the login (no retry:
    ///   a controller that cannot open its journal must not start).
    static func open(_ location: PostgresLocation, retryPatience: Duration = .seconds(60)) async throws
        -> PostgresJournalStore
    {
        let store = PostgresJournalStore(location, retryPatience: retryPatience)
        try await store.writer.withConnection { connection in try await PostgresMigrations.migrate(connection) }
        return store
    }

    func appliedMigrations() async throws -> [String] {
        try await read { connection in try await PostgresMigrations.applied(connection) }
    }

    func close() async {
        await writes.idle()
        await writer.close()
        await reader.close()
    }

    /// Runs `updates` in the next group commit and returns once it is committed; to completion even when the
    /// calling task is cancelled (the queue's task is not the caller's).
    func journalWrite<T: Sendable>(_ updates: @escaping @Sendable (PostgresConnection) async throws -> T) async throws
        -> T
    {
        try await withCheckedThrowingContinuation { continuation in
            writes.enqueue(updates) { continuation.resume(with: $0) }
        }
    }

    /// Runs `body` in a read-only `REPEATABLE READ` transaction on the reading connection, retried while the
    /// server is unreachable (for up to ``retryPatience``).
    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await PostgresRetry.run(patience: retryPatience) {
            try await self.reader.withConnection { connection in
                try await connection.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                do {
                    let result = try await body(connection)
                    try await connection.run("COMMIT")
                    return result
                } catch {
                    await connection.rollbackIfOpen()
                    throw error
                }
            }
        }
    }
}

/// Retries work that failed because the connection was lost, with exponential backoff (0.1 s doubling to 2 s).
enum PostgresRetry {
    static func run<T: Sendable>(patience: Duration, _ work: @Sendable () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + patience
        var delay = Duration.milliseconds(100)
        while true {
            do {
                return try await work()
            } catch  where PostgresLog.isConnectionLoss(error) && ContinuousClock.now + delay < deadline {
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }
}

extension PostgresConnection {
    /// Runs one statement and returns its rows.
    @discardableResult
    func run(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await self.query(query, logger: PostgresLog.logger).collect()
    }

    /// Ends a failed transaction, unless the connection is gone (the server then rolled it back itself).
    func rollbackIfOpen() async {
        if !isClosed { _ = try? await run("ROLLBACK") }
    }
}
