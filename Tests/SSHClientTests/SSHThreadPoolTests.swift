import Foundation
import Testing

@testable import SSHClient

/// The pool without SSH: jobs of one executor run in order, executors run in parallel, and the exit's wait sees a
/// queued teardown through to its end.
@Suite struct SSHThreadPoolTests {
    @Test func jobsOfOneExecutorRunInOrderAndExecutorsInParallel() async {
        let order = Log()
        let arrived = Log()
        let executors = (0..<8).map { SSHExecutor(name: "ssh test \($0)") }
        await withTaskGroup(of: Void.self) { group in
            for (index, executor) in executors.enumerated() {
                group.addTask {
                    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                        // The first job blocks its thread, as a libssh2 wait does, until all eight have started:
                        // they only all get there if each executor has a thread of its own at that moment.
                        executor.enqueue {
                            arrived.append("\(index)")
                            let deadline = ContinuousClock.now + .seconds(20)
                            while arrived.entries.count < 8 && ContinuousClock.now < deadline { usleep(5_000) }
                            order.append(arrived.entries.count == 8 ? "\(index) first" : "\(index) alone")
                        }
                        executor.enqueue {
                            order.append("\(index) second")
                            done.resume()
                        }
                    }
                }
            }
        }
        for index in 0..<8 {
            let entries = order.entries.filter { $0.hasPrefix("\(index) ") }
            #expect(entries == ["\(index) first", "\(index) second"])
        }
    }

    @Test func exitWaitsForAQueuedTeardownBehindARunningJob() async {
        let executor = SSHExecutor(name: "ssh test exit")
        let log = Log()
        executor.enqueue {
            usleep(300_000)
            log.append("job")
        }
        executor.shutdown { log.append("teardown") }
        #expect(!executor.enqueue { log.append("refused") })
        // As the exit handler does, on a thread of its own (it blocks; other tests' teardowns count too).
        let seen = await withCheckedContinuation { (done: CheckedContinuation<[String], Never>) in
            Thread.detachNewThread {
                SSHThreadPool.shared.waitForTeardowns(until: Date(timeIntervalSinceNow: 10))
                done.resume(returning: log.entries)
            }
        }
        #expect(seen == ["job", "teardown"])
    }
}

private final class Log: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.withLock { items.append(item) } }
    var entries: [String] { lock.withLock { items } }
}
