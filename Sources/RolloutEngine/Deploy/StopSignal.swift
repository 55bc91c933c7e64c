import Foundation

/// Why a rollout stops starting hosts, shared by every task of the run.
public final class StopSignal: @unchecked Sendable {
    public enum Reason: Sendable, Equatable {
        /// The failure budget is exhausted.
        case failures
        /// First Ctrl-C or SIGTERM: finish the steps in flight, start nothing new.
        case interrupted
        /// Second Ctrl-C: stop at once (the gateway is still restored).
        case immediate
    }

    private let lock = NSLock()
    private var reason: Reason?

    public init() {}

    public var current: Reason? { lock.withLock { reason } }
    public var isStopped: Bool { current != nil }
    public var isInterrupted: Bool { current == .interrupted || current == .immediate }

    /// Records a reason; an interruption wins over failures, an immediate stop over everything.
    public func stop(_ new: Reason) {
        lock.withLock {
            switch (reason, new) {
            case (.immediate?, _): break
            case (.interrupted?, .failures): break
            default: reason = new
            }
        }
    }
}
