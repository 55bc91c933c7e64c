/// Decides which hosts may start, batch by batch, never exceeding a batch's concurrency.
///
/// A batch starts only when the previous one has finished (and the engine has called `advance()`, after
/// a canary bake or a `rollout promote`). Inside a batch, up to `concurrency` hosts are in flight; when one
/// finishes the next starts at once, so a `window` batch never waits for its slowest host.
public struct RolloutSchedule: Sendable {
    public enum Next: Sendable, Equatable {
        /// Start these hosts now.
        case start([String])
        /// Hosts are in flight and none may start: wait for one to finish.
        case wait
        /// Batch `index` has finished; call `advance()` to go on to the next.
        case batchFinished(Int)
        case done
    }

    public private(set) var batches: [PlanBatch]
    public private(set) var current = 0
    public private(set) var inFlight: [String] = []
    public private(set) var finished: [String] = []
    private var pending: [String]
    private var waitingForAdvance = false

    public init(batches: [PlanBatch]) {
        self.batches = batches
        self.pending = batches.first?.hosts ?? []
    }

    public mutating func next() -> Next {
        guard current < batches.count else { return .done }
        if waitingForAdvance { return .batchFinished(current) }
        let room = batches[current].concurrency - inFlight.count
        if room > 0, !pending.isEmpty {
            let starting = Array(pending.prefix(room))
            pending.removeFirst(starting.count)
            inFlight += starting
            return .start(starting)
        }
        if inFlight.isEmpty && pending.isEmpty {
            waitingForAdvance = true
            return .batchFinished(current)
        }
        return .wait
    }

    /// Records that a host finished (successfully or not).
    public mutating func finish(_ host: String) {
        guard let index = inFlight.firstIndex(of: host) else { return }
        inFlight.remove(at: index)
        finished.append(host)
    }

    /// Moves on to the next batch after `batchFinished`.
    public mutating func advance() {
        guard waitingForAdvance else { return }
        waitingForAdvance = false
        current += 1
        pending = current < batches.count ? batches[current].hosts : []
    }
}
