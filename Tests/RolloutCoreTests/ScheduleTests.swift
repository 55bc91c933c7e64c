import RolloutConfig
import Testing

@testable import RolloutCore

@Suite struct ScheduleTests {
    /// Drives a schedule to the end, finishing in-flight hosts in a scrambled but fixed order, and checks at
    /// every step that no more than a batch's concurrency is in flight and that a finished host is replaced
    /// at once while its batch has hosts waiting.
    private func drive(_ batches: [PlanBatch], seed: UInt64) -> (starts: [[String]], maxInFlight: [Int: Int]) {
        var schedule = RolloutSchedule(batches: batches)
        var rng = seed
        var starts: [[String]] = []
        var maxInFlight: [Int: Int] = [:]
        loop: while true {
            switch schedule.next() {
            case .start(let hosts):
                starts.append(hosts)
                let batch = schedule.current
                maxInFlight[batch] = max(maxInFlight[batch] ?? 0, schedule.inFlight.count)
                #expect(schedule.inFlight.count <= batches[batch].concurrency)
            case .wait:
                rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let victim = schedule.inFlight[Int(rng >> 33) % schedule.inFlight.count]
                let pendingBefore =
                    batches[schedule.current].hosts.count - schedule.finished.count
                    - schedule.inFlight.count + batchesBefore(schedule, batches)
                schedule.finish(victim)
                guard pendingBefore > 0 else { continue }
                guard case .start(let next) = schedule.next() else {
                    Issue.record("a host finished while others waited, but none started")
                    break loop
                }
                #expect(next.count == 1, "a finished host is replaced by exactly one waiting host")
                starts.append(next)
                #expect(schedule.inFlight.count == batches[schedule.current].concurrency)
            case .batchFinished:
                #expect(schedule.inFlight.isEmpty)
                schedule.advance()
            case .done:
                break loop
            }
        }
        return (starts, maxInFlight)
    }

    private func batchesBefore(_ schedule: RolloutSchedule, _ batches: [PlanBatch]) -> Int {
        batches[..<schedule.current].reduce(0) { $0 + $1.hosts.count }
    }

    @Test func windowKeepsExactlyTheGivenNumberInFlight() {
        let hosts = (1...20).map { "h\($0)" }
        let batches = [PlanBatch(index: 1, kind: .window, hosts: hosts, concurrency: 3)]
        for seed in [1, 7, 42] as [UInt64] {
            let run = drive(batches, seed: seed)
            #expect(run.maxInFlight[0] == 3)
            #expect(run.starts.flatMap { $0 } == hosts, "hosts start in plan order, each once")
        }
    }

    @Test func aBatchStartsOnlyWhenThePreviousHasFinished() {
        var schedule = RolloutSchedule(batches: [
            PlanBatch(index: 1, kind: .canary, hosts: ["c"], concurrency: 1, bake: .seconds(60)),
            PlanBatch(index: 2, kind: .serial, hosts: ["a", "b"], concurrency: 2),
        ])
        #expect(schedule.next() == .start(["c"]))
        #expect(schedule.next() == .wait)
        schedule.finish("c")
        #expect(schedule.next() == .batchFinished(0))
        #expect(schedule.next() == .batchFinished(0), "nothing starts until advance() (bake, promote)")
        schedule.advance()
        #expect(schedule.next() == .start(["a", "b"]))
        schedule.finish("a")
        #expect(schedule.next() == .wait)
        schedule.finish("b")
        #expect(schedule.next() == .batchFinished(1))
        schedule.advance()
        #expect(schedule.next() == .done)
    }

    @Test func windowInAPlanNeverExceedsMaxUnavailable() throws {
        let plan = try PlanFixtures.plan("window: 5\nmax_unavailable: 2\n", hosts: 12)
        #expect(plan.batches.map(\.concurrency) == [2])
        #expect(plan.batches[0].kind == .window)
        let run = drive(plan.batches, seed: 3)
        #expect(run.maxInFlight[0] == 2)

        let percent = try PlanFixtures.plan("window: \"50%\"\nmax_unavailable: \"25%\"\n", hosts: 12)
        #expect(percent.batches.map(\.concurrency) == [3])
        let unlimited = try PlanFixtures.plan("window: 4\n", hosts: 12)
        #expect(unlimited.batches.map(\.concurrency) == [4])
    }
}
