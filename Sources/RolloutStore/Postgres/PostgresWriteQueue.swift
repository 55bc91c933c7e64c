import Foundation
import PostgresNIO

/// The PostgreSQL journal's group commit, as ``JournalWriteQueue`` is SQLite's: writes queue here and one task runs
/// every queued write in one transaction on the writer connection, then tells each caller how the commit went.
///
/// A savepoint per write costs two round trips, so a batch first runs without them; only when one of its writes
/// fails (rare: an unknown id, a phase closed twice) is the transaction rolled back and the batch run again with a
/// savepoint around each write, so that the failing one is rolled back alone and its caller alone gets the error.
/// A batch whose connection is lost before COMMIT is sent is run again on a new connection (with backoff, for up
/// to `patience`); the rows are written exactly once, as nothing of the failed attempt committed.
final class PostgresWriteQueue: @unchecked Sendable {
    typealias Finish = @Sendable ((any Error)?) -> Void

    struct Write: Sendable {
        /// Runs the write's statements and returns how to finish its caller. `isolated`: in a savepoint, rolled
        /// back alone when it fails, throwing then only when the connection failed; otherwise any error is thrown.
        var run: @Sendable (PostgresConnection, _ isolated: Bool) async throws -> Finish
        var fail: @Sendable (any Error) -> Void
    }

    /// A write of a batch run without savepoints failed: the batch is run again with them.
    private struct NeedsIsolation: Error {
        var error: any Error
    }

    private let session: PostgresSession
    private let patience: Duration
    private let lock = NSLock()
    private var pending: [Write] = []
    private var drainer: Task<Void, Never>?

    init(session: PostgresSession, patience: Duration) {
        self.session = session
        self.patience = patience
    }

    /// Queues `updates`; `completion` gets its result once its transaction committed (or failed).
    func enqueue<T: Sendable>(
        _ updates: @escaping @Sendable (PostgresConnection) async throws -> T,
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) {
        let write = Write(
            run: { connection, isolated in
                guard isolated else {
                    let value = try await updates(connection)
                    return { error in completion(error.map { .failure($0) } ?? .success(value)) }
                }
                try await connection.run("SAVEPOINT journal_write")
                do {
                    let value = try await updates(connection)
                    try await connection.run("RELEASE SAVEPOINT journal_write")
                    return { error in completion(error.map { .failure($0) } ?? .success(value)) }
                } catch  where !PostgresLog.isConnectionLoss(error) {
                    try await connection.run("ROLLBACK TO SAVEPOINT journal_write")
                    return { _ in completion(.failure(error)) }
                }
            },
            fail: { completion(.failure($0)) })
        lock.withLock {
            pending.append(write)
            if drainer == nil { drainer = Task { await self.drain() } }
        }
    }

    /// Waits until every queued write has committed or failed.
    func idle() async {
        while let task = lock.withLock({ drainer }) { await task.value }
    }

    private func drain() async {
        while true {
            let batch: [Write] = lock.withLock {
                let taken = pending
                pending.removeAll(keepingCapacity: true)
                if taken.isEmpty { drainer = nil }
                return taken
            }
            if batch.isEmpty { return }
            await commit(batch)
        }
    }

    private func commit(_ batch: [Write]) async {
        let deadline = ContinuousClock.now + patience
        var delay = Duration.milliseconds(100)
        var isolated = false
        while true {
            let commitSent = CommitFlag()
            do {
                let finishes = try await session.withConnection { [isolated] connection in
                    try await connection.run("BEGIN")
                    do {
                        var finishes: [Finish] = []
                        finishes.reserveCapacity(batch.count)
                        for write in batch {
                            do {
                                finishes.append(try await write.run(connection, isolated))
                            } catch  where !isolated && !PostgresLog.isConnectionLoss(error) {
                                throw NeedsIsolation(error: error)
                            }
                        }
                        commitSent.set()
                        try await connection.run("COMMIT")
                        return finishes
                    } catch {
                        await connection.rollbackIfOpen()
                        throw error
                    }
                }
                for finish in finishes { finish(nil) }
                return
            } catch let failure as NeedsIsolation {
                // Rolled back: nothing of the batch was written. Alone, the write simply failed.
                if batch.count == 1 {
                    batch[0].fail(failure.error)
                    return
                }
                isolated = true
            } catch {
                if PostgresLog.isConnectionLoss(error) && !commitSent.isSet && ContinuousClock.now + delay < deadline {
                    try? await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(2))
                    continue
                }
                let reported =
                    PostgresLog.isConnectionLoss(error) && !(error is JournalError)
                    ? JournalError(
                        .unreachable,
                        "lost the connection to the journal \(session.location)"
                            + (commitSent.isSet ? " during COMMIT (the write may or may not be journaled)" : "")
                            + ": \(PostgresLog.describe(error))")
                    : error
                for write in batch { write.fail(reported) }
                return
            }
        }
    }
}

/// Set once COMMIT went out: from then on a lost connection leaves the outcome unknown, so no retry.
private final class CommitFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
