import Foundation
import RolloutModel
import RolloutStore
import Testing

@Suite(.serialized) struct LargeRolloutTests {
    @Test(arguments: StoreBackend.allCases) func tenThousandHostsAndFiftyThousandPhases(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        let names = (0..<10_000).map { String(format: "host-%05d", $0) }
        let phases: [Phase] = [.upload, .drain, .switch, .restart, .verify]
        let clock = ContinuousClock()

        let id = try await store.beginRollout(start("fleet", "2.0", previous: "1.0"))
        let writing = try await clock.measure {
            try await store.addHosts(hosts(names, to: "2.0", from: "1.0"), to: id, at: t0)
            // One transaction per phase and batch of 1,000 hosts, as the engine journals a batch.
            for batch in stride(from: 0, to: names.count, by: 1000) {
                let batchHosts = Array(names[batch..<batch + 1000])
                for (index, phase) in phases.enumerated() {
                    let begun = at(Double(index))
                    let ids = try await store.beginPhases(
                        batchHosts.map { PhaseStart(host: $0, phase: phase) }, in: id, at: begun)
                    let failing = phase == .verify ? batchHosts.count - 1 : -1
                    try await store.finishPhases(
                        ids.enumerated().map { offset, phaseID in
                            offset == failing
                                ? PhaseFinish(phaseID: phaseID, outcome: .failed, error: "timeout")
                                : PhaseFinish(phaseID: phaseID, outcome: .ok)
                        }, at: begun.addingTimeInterval(0.5))
                }
                try await store.setHostStatuses(
                    batchHosts.enumerated().map { offset, host in
                        HostStatusUpdate(host: host, status: offset == 999 ? .failed : .succeeded)
                    }, in: id, at: at(5))
            }
            try await store.finishRollout(id, status: .partial, exitCode: 4, at: at(6))
        }

        var detail: RolloutDetail?
        let reading = try await clock.measure { detail = try await store.rollout(id) }
        let rollout = try #require(detail)
        #expect(rollout.hosts.count == 10_000)
        #expect(rollout.hosts.map(\.name) == names)
        #expect(rollout.hosts.allSatisfy { $0.phases.map(\.phase) == phases })
        #expect(rollout.hosts.reduce(0) { $0 + $1.phases.count } == 50_000)
        #expect(rollout.summary.hostCounts == HostCounts(total: 10_000, ok: 9_990, failed: 10))
        #expect(rollout.hosts[999].phases.last?.status == .failed && rollout.hosts[999].phases.last?.error == "timeout")
        #expect(rollout.hosts[1000].phases.allSatisfy { $0.status == .ok && $0.duration == .milliseconds(500) })

        var summary: [RolloutSummary] = []
        let history = try await clock.measure { summary = try await store.history() }
        #expect(summary.first?.hostCounts.failed == 10)
        print("journal: 10,000 hosts + 50,000 phases written in \(writing); rollout(id) \(reading); history \(history)")
    }
}
