import Foundation

/// Counts failed hosts across the concurrent tasks of a rollout and stops the rollout when the budget is
/// exceeded (more failures than allowed), so no new host starts after that.
final class FailureTally: @unchecked Sendable {
    private let lock = NSLock()
    private var failed = 0
    let budget: Int
    let stop: StopSignal

    init(budget: Int, stop: StopSignal) {
        self.budget = budget
        self.stop = stop
    }

    func record(_ result: HostRunResult) {
        guard result.status == .failed || result.status == .rolledBack else { return }
        let over = lock.withLock {
            failed += 1
            return failed > budget
        }
        if over { stop.stop(.failures) }
    }

    /// The rollout failed before any host (a `before_rollout` hook): over the budget whatever it is.
    func failWith(_ reason: String) {
        lock.withLock { failed = budget + 1 }
        stop.stop(.failures)
    }

    var exceeded: Bool { lock.withLock { failed > budget } }
}
