import Foundation
import Synchronization

extension LoadGenerator {
    /// A load run in progress. Every method is safe to call from any thread, more than once.
    public final class Handle: Sendable {
        private let run: LoadRun

        init(run: LoadRun) { self.run = run }

        /// Requests finished so far (succeeded, failed), for waiting until load is flowing.
        public var progress: (requests: Int, succeeded: Int, failed: Int) {
            let succeeded = run.liveSucceeded.load(ordering: .relaxed)
            let failed = run.liveFailed.load(ordering: .relaxed)
            return (succeeded + failed, succeeded, failed)
        }

        /// True once every worker has ended (duration, `maxRequests`, or `stop()`).
        public var isFinished: Bool { run.group.wait(timeout: .now()) == .success }

        /// Waits until at least `count` requests succeeded in total. Returns false if the run
        /// ended or `timeout` passed first.
        public func waitForSucceeded(_ count: Int, timeout: Duration) -> Bool {
            let deadline = ContinuousClock.now + timeout
            while progress.succeeded < count {
                if isFinished || ContinuousClock.now >= deadline { return progress.succeeded >= count }
                Thread.sleep(forTimeInterval: 0.005)
            }
            return true
        }

        /// Asks the workers to stop after their current request, waits for them and reports.
        /// Bounded by `requestTimeout`.
        public func stop() -> LoadReport {
            run.stopRequested.store(true, ordering: .releasing)
            return wait()
        }

        /// Waits for the run to end on its own (duration or `maxRequests`) and reports.
        public func wait() -> LoadReport {
            run.group.wait()
            return run.report()
        }
    }
}

/// State shared by the workers of one run and its handle.
final class LoadRun: Sendable {
    let configuration: LoadGenerator.Configuration
    let target: LocalAddress
    let startedAt = ContinuousClock.now
    let endsAt: ContinuousClock.Instant
    let group = DispatchGroup()
    let stopRequested = Atomic<Bool>(false)
    let requestsClaimed = Atomic<Int>(0)
    let liveSucceeded = Atomic<Int>(0)
    let liveFailed = Atomic<Int>(0)
    private let results = Mutex<(stats: [WorkerStats], endedAt: ContinuousClock.Instant?, report: LoadReport?)>(
        ([], nil, nil))

    init(configuration: LoadGenerator.Configuration, target: LocalAddress) {
        self.configuration = configuration
        self.target = target
        endsAt = startedAt + configuration.duration
    }

    /// Whether a worker may start another request: not stopped, not past the end, and (with
    /// `maxRequests`) one of the remaining attempts claimed for it.
    func claimRequest() -> Bool {
        if stopRequested.load(ordering: .acquiring) || ContinuousClock.now >= endsAt { return false }
        guard let maxRequests = configuration.maxRequests else { return true }
        return requestsClaimed.wrappingAdd(1, ordering: .relaxed).oldValue < maxRequests
    }

    /// Sleeps until `instant` (in slices, so that a stop or the end of the run is noticed at
    /// once). Returns false when the run is stopped or over.
    func waitUntil(_ instant: ContinuousClock.Instant) -> Bool {
        while true {
            if stopRequested.load(ordering: .acquiring) { return false }
            let now = ContinuousClock.now
            if now >= endsAt { return false }
            if now >= instant { return true }
            Thread.sleep(forTimeInterval: min(0.02, Double((min(instant, endsAt) - now) / .milliseconds(1)) / 1000))
        }
    }

    func finish(_ stats: WorkerStats) {
        results.withLock {
            $0.stats.append(stats)
            $0.endedAt = .now
        }
        group.leave()
    }

    /// The merged report; computed once, after every worker finished.
    func report() -> LoadReport {
        results.withLock { state in
            if let report = state.report { return report }
            let elapsed = (state.endedAt ?? .now) - startedAt
            let report = WorkerStats.merge(state.stats, elapsed: elapsed)
            state.report = report
            return report
        }
    }
}
