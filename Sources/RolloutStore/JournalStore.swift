import Foundation

/// The rollout journal: every rollout, host, phase, event, configuration file and inventory lock, so that it always
/// says where each host stands. One interface over two backends, chosen by ``open(_:environment:)``:
///
/// - a SQLite file (``SQLiteJournalStore``, `--state .rollout/state.db`, the default): one machine;
/// - a PostgreSQL database (``PostgresJournalStore``, `--state postgres://user@host:5432/db`): every controller of a
///   team (laptops, CI runners) sees the same history, `resume` targets and locks.
///
/// Guarantees, on both backends:
/// - opening applies the named migrations; opening an up-to-date journal again changes nothing;
/// - every write method is atomic and durable: when it returns, its rows survive a crash; when it throws, nothing of
///   it was written. Concurrent writes share one transaction, each in its own savepoint (group commit). A write runs
///   to completion even when the calling task is cancelled (a stopping controller must still journal how it stopped);
/// - several controllers may share the journal; lock acquisition is serialized, so exactly one of them gets a lock;
/// - journal rows (rollouts, hosts, phases, events, configuration files) are never deleted (a trigger refuses it).
///
/// Timestamps are UTC ISO-8601 text with milliseconds in both (see ``JournalTime``), so `rollout show --output json`
/// prints the same bytes whichever backend holds the rollout.
public final class JournalStore: Sendable {
    let backend: any JournalBackend

    init(backend: any JournalBackend) {
        self.backend = backend
    }

    /// Opens (creating if needed) the SQLite journal at `path`; see ``SQLiteJournalStore/init(path:busyTimeout:)``.
    public convenience init(path: String, busyTimeout: Duration = .seconds(10)) throws {
        self.init(backend: try SQLiteJournalStore(path: path, busyTimeout: busyTimeout))
    }

    /// Opens the journal `state` names: a `postgres://` or `postgresql://` URL (``PostgresLocation``), or else the
    /// path of a SQLite file (created if needed).
    ///
    /// - Throws: ``JournalError`` `invalid_location` for a malformed URL, `unreachable` when the PostgreSQL server
    ///   cannot be reached or refuses the login (the message names the host, port, database and user, never the
    ///   password), `cannot_open` for a file that cannot be created or is not a journal.
    public static func open(_ state: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        async throws -> JournalStore
    {
        switch try JournalLocation(state) {
        case .sqlite(let path): try JournalStore(path: path)
        case .postgres(let url):
            JournalStore(
                backend: try await PostgresJournalStore.open(try PostgresLocation(url, environment: environment)))
        }
    }

    /// Where the journal is: the file path, or the PostgreSQL URL without any password.
    public var location: String { backend.location }

    /// The SQLite file, or the PostgreSQL URL (without password): what `path` printed before there were two backends.
    public var path: String { backend.location }

    /// The migrations applied to the journal, in order (for diagnostics and tests).
    public func appliedMigrations() async throws -> [String] { try await backend.appliedMigrations() }

    /// Waits for queued writes (``finishPhaseQueued(_:outcome:error:detail:at:onError:)``) and closes the backend's
    /// connections. Not needed for SQLite; a PostgreSQL journal should be closed before the process exits.
    public func close() async { await backend.close() }
}
