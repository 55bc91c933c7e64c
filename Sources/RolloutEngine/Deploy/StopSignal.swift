import Foundation

/// Why a rollout stops starting hosts, shared by every task of the run.
public final class StopSignal: @unchecked Sendable {
    public enum Reason: Sendable, Equatable {
        /// The failure budget is exhausted.
        case failures
        /// First Ctrl-C or SIGTERM: finish the steps in flight, start nothing new.
        case interrupted
        /// Second Ctrl-C, or the lock's lease was lost: stop at once (the gateway is still restored).
        case immediate
    }

    /// Why a rollout was stopped on purpose, as its outcome reports it (a stop for failures is not one).
    public enum Cause: Sendable, Equatable {
        /// Ctrl-C or SIGTERM (once or twice).
        case interrupted
        /// The lease was lost: someone else holds (or removed) the inventory's lock. The message says who.
        case lockLost(String)
    }

    private let lock = NSLock()
    private var reason: Reason?
    private var lostLock: String?
    private var stoppedAt: Date?
    /// Hosts whose agent refused our fencing token.
    private var fencedHosts: Set<String> = []
    /// Tasks waiting in `untilImmediate()`, resumed by the second interrupt.
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0

    public init() {}

    public var current: Reason? { lock.withLock { reason } }
    public var isStopped: Bool { current != nil }
    public var isInterrupted: Bool { current == .interrupted || current == .immediate }

    /// The purposeful stop, if any: a lost lease wins over an interrupt.
    public var cause: Cause? {
        lock.withLock {
            if let lostLock { return .lockLost(lostLock) }
            return reason == .interrupted || reason == .immediate ? .interrupted : nil
        }
    }

    /// When the rollout was first stopped on purpose (interrupt or lost lease), for the journal's event.
    public var causeDate: Date? { lock.withLock { stoppedAt } }

    /// The lease was lost (`message` says to whom): like a second Ctrl-C, no further step starts on any host and the
    /// steps in flight are cut, while drained hosts are still restored; the rollout ends `lock lost` (exit 7).
    /// Only the first loss is kept.
    public func loseLock(_ message: String) {
        lock.withLock { if lostLock == nil { lostLock = message } }
        stop(.immediate)
    }

    /// The agent on `host` refused our fencing token (`message` says why): a newer holder of the fleet's lock controls
    /// the hosts. The lease is lost (``loseLock(_:)``), and no host is to be reverted by this rollout.
    public func fenceOff(host: String, _ message: String) {
        lock.withLock { _ = fencedHosts.insert(host) }
        loseLock(message)
    }

    /// Whether an agent refused our fencing token (on `host`, or on any host when nil).
    public func isFencedOff(_ host: String? = nil) -> Bool {
        lock.withLock { host.map { fencedHosts.contains($0) } ?? !fencedHosts.isEmpty }
    }

    /// Records a reason; an interruption wins over failures, an immediate stop over everything.
    public func stop(_ new: Reason) {
        let woken = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            if new != .failures, stoppedAt == nil { stoppedAt = Date() }
            switch (reason, new) {
            case (.immediate?, _): return []
            case (.interrupted?, .failures): return []
            default: reason = new
            }
            guard new == .immediate else { return [] }
            defer { waiters = [:] }
            return Array(waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns when the rollout is stopped at once (second interrupt), or when the calling task is cancelled.
    public func untilImmediate() async {
        let key = lock.withLock {
            nextWaiter += 1
            return nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = lock.withLock { () -> Bool in
                    if reason == .immediate || Task.isCancelled { return true }
                    waiters[key] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            lock.withLock { waiters.removeValue(forKey: key) }?.resume()
        }
    }

    /// Runs `operation`; a second interrupt (or a lost lease) cancels it (an SSH command in flight is cut, its channel closed) and
    /// throws `DeployError.interrupted` at once instead of waiting for the command's own timeout.
    public func cutOnImmediate<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                await self.untilImmediate()
                return nil
            }
            defer { group.cancelAll() }
            // The first child to finish decides: the operation's value or error, or the second interrupt.
            guard let first = try await group.next(), let value = first else {
                let why = lock.withLock { lostLock.map { "the lock was lost (\($0))" } } ?? "a second interrupt"
                throw DeployError(.interrupted, "stopped by \(why); the step in flight was cut")
            }
            return value
        }
    }
}
