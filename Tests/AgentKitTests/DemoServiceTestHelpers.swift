import Foundation
import RolloutTestSupport
import Synchronization

/// Helpers of the demo-service and load-generator tests, in a namespace so they cannot clash
/// with helpers of other suites in this test target.
enum DemoTest {}

extension DemoTest {
    /// Runs `body` on its own thread (so a blocking request can be in flight while the test sends
    /// signals) and hands back its result.
    final class Background<T: Sendable>: Sendable {
        private let result = Mutex<Result<T, any Error>?>(nil)
        private let done = DispatchSemaphore(value: 0)

        init(_ body: @escaping @Sendable () throws -> T) {
            let thread = Thread { [self] in
                let outcome = Result { try body() }
                result.withLock { $0 = outcome }
                done.signal()
            }
            thread.start()
        }

        /// The body's result; throws its error, or a timeout error after `timeout`.
        func value(timeout: Duration = .seconds(15)) throws -> T {
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            guard done.wait(timeout: .now() + seconds) == .success else {
                throw TestSupportError("background work did not finish within \(timeout)")
            }
            done.signal()
            return try result.withLock { $0! }.get()
        }
    }

    /// Waits until `condition` holds, checking every 10 ms; false if `timeout` passes first.
    static func eventually(timeout: Duration = .seconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return try condition()
    }

    /// Whether a connection is waiting in `listener`'s accept queue (taken and closed if so), i.e.
    /// no service accepted it.
    static func acceptQueuedConnection(_ listener: TestListener) -> Bool {
        var pollSet = pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pollSet, 1, 1000) > 0 else { return false }
        let fd = accept(listener.fd, nil, nil)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }
}
