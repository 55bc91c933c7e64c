import Foundation
import GRDB

/// The journal's group commit: writes queue here and the database's writer runs every queued write in one
/// transaction, then tells each caller how the commit went.
///
/// A write runs its statements (in its own savepoint) and returns how to finish its caller once the
/// transaction's fate is known: called with nil after the commit, or with the commit's error. A write that never
/// ran because the transaction could not begin gets that error through `fail`.
final class JournalWriteQueue: @unchecked Sendable {
    typealias Finish = @Sendable ((any Error)?) -> Void

    struct Write: Sendable {
        var run: @Sendable (Database) -> Finish
        var fail: @Sendable (any Error) -> Void
    }

    private let lock = NSLock()
    private var pending: [Write] = []
    private var draining = false

    /// Queues `write`; starts a drain on the pool's writer unless one is running (it will take this write too).
    func enqueue(_ pool: DatabasePool, _ write: Write) {
        let start = lock.withLock {
            pending.append(write)
            if draining { return false }
            draining = true
            return true
        }
        if start {
            pool.asyncWriteWithoutTransaction { db in self.drain(db) }
        }
    }

    /// Commits batches until the queue is empty; writes that arrive during a commit form the next batch.
    private func drain(_ db: Database) {
        while true {
            let batch: [Write] = lock.withLock {
                let taken = pending
                pending.removeAll(keepingCapacity: true)
                if taken.isEmpty { draining = false }
                return taken
            }
            if batch.isEmpty { return }
            var finishes: [Finish] = []
            finishes.reserveCapacity(batch.count)
            do {
                try db.inTransaction(.immediate) {
                    for write in batch { finishes.append(write.run(db)) }
                    return .commit
                }
                for finish in finishes { finish(nil) }
            } catch {
                // The transaction did not begin or did not commit: nothing of the batch was written.
                for finish in finishes { finish(error) }
                for write in batch.dropFirst(finishes.count) { write.fail(error) }
            }
        }
    }
}
