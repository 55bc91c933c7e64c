import Foundation
import RolloutConfig
import RolloutCore
import RolloutStore

/// What the journal says was already done of a rollout's own steps, read from its events: the `before_rollout`
/// hooks that passed, and where its canary gate stands. A new rollout starts from the empty value.
struct RolloutProgress: Sendable {
    /// Positions of the `before_rollout` hooks journaled as passed.
    var hooksDone: Set<Int> = []
    /// When the canary's bake ends (journal time), once it has begun.
    var bakeUntil: Date?
    /// The bake time passed and the canaries were checked again.
    var baked = false
    /// The rollout stopped at its `promote: manual` gate.
    var waiting = false
    var promoted = false

    init() {}

    init(events: [JournalEvent]) {
        var hookOrdinal = 0
        for event in events {
            switch event.kind {
            case .canaryBaking:
                if let text = event.detail?["until"]?.stringValue { bakeUntil = JournalTime.date(from: text) }
            case .canaryBaked: baked = true
            case .canaryWaiting: waiting = true
            case .canaryPromoted: promoted = true
            case .hookBeforeRollout:
                // Journals before write-ahead hook events carry only the exit status, one event per hook run.
                let index = event.detail?["index"]?.intValue.map(Int.init)
                let state = event.detail?["state"]
                let passed = state == .string("ok") || (state == nil && event.detail?["status"] == .int(0))
                if passed { hooksDone.insert(index ?? hookOrdinal) }
                hookOrdinal += 1
            default: break
            }
        }
    }
}

extension RolloutRunner {
    /// The canary's bake: journaled when it begins, with the time it ends, so that a resumed rollout bakes only
    /// what is left of it (`until`, when given, is that journaled end). A stop (Ctrl-C, a lost lock) ends the wait
    /// at once and leaves the bake unpassed for `rollout resume`. After the wait the canaries' health checks run
    /// again (`bakeCheck`); returns the canaries that failed them, reverted per the rollback policy.
    func bake(
        _ batch: PlanBatch, for duration: Duration, until journaled: Date?, id: Int64,
        results: [String: HostRunResult], context: DeployContext, plans: [String: HostPlan], from: [String: String?]
    ) async -> [HostRunResult] {
        let journal = settings.journal
        let until = journaled ?? JournalTime.rounded(Date().addingTimeInterval(Self.seconds(duration)))
        let untilText = JournalTime.string(from: until)
        if journaled == nil {
            _ = try? await journal.recordEvent(
                .canaryBaking, message: "canary verified; baking for \(duration) until \(untilText)", rolloutID: id,
                detail: .object(["until": .string(untilText), "seconds": .double(Self.seconds(duration))]))
        }
        let left = max(0, until.timeIntervalSinceNow)
        settings.observer.event(
            .note(
                journaled == nil
                    ? "canary verified; baking for \(duration) (until \(untilText))"
                    : "canary verified; baking the \(Int(left.rounded(.up)))s left of its bake (until \(untilText))"))
        guard await sleepUnlessStopped(until: until) else {
            settings.observer.event(
                .note("bake of the canary stopped before \(untilText); `rollout resume` bakes the rest"))
            return []
        }
        let failed = await bakeCheck(batch, results: results, context: context, plans: plans, from: from)
        _ = try? await journal.recordEvent(
            .canaryBaked,
            message: failed.isEmpty
                ? "canary baked until \(untilText): its health checks still pass"
                : "canary baked: \(failed.map(\.host).joined(separator: ", ")) no longer passed its health checks",
            rolloutID: id, detail: .object(["failed": .array(failed.map { .string($0.host) })]))
        return failed
    }

    /// Waits until `date` or until the rollout is stopped, whichever comes first; true when the time was reached.
    /// The stop signal is read every 100 ms: a Ctrl-C during a bake of minutes stops it at once.
    private func sleepUnlessStopped(until date: Date) async -> Bool {
        while !settings.stop.isStopped {
            let left = date.timeIntervalSinceNow
            if left <= 0 { return true }
            try? await Task.sleep(for: .milliseconds(min(100, Int(left * 1000) + 1)))
        }
        return false
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
