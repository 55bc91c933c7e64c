import Foundation
import RolloutEngine

/// Ctrl-C and SIGTERM during a rollout: the first finishes the steps in flight, restores drained hosts and
/// marks the rollout aborted (exit 6); the second stops before the next step (the gateway is still restored).
final class InterruptHandler: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var count = 0

    init(stop: StopSignal, observer: any DeployObserver) {
        for signo in [SIGINT, SIGTERM] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { [self] in
                let n = lock.withLock {
                    count += 1
                    return count
                }
                if n == 1 {
                    stop.stop(.interrupted)
                    observer.event(
                        .note("interrupted: finishing the steps in flight, then stopping (again to stop now)"))
                } else {
                    stop.stop(.immediate)
                    observer.event(
                        .note("interrupted again: stopping before the next step; drained hosts are restored"))
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
