import Foundation
import RolloutJSON
import RolloutModel
import RolloutStore
import Testing

@Suite struct RolloutJournalTests {
    @Test(arguments: StoreBackend.allCases) func fullRolloutRoundTrip(_ backend: StoreBackend) async throws {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        var begin = start("web", "2.0", previous: "1.9")
        begin.plan = .object(["batches": .array([.array([.string("a"), .string("b")]), .array([.string("c")])])])
        let id = try await store.beginRollout(begin)
        try await store.addHosts(hosts(["a", "b", "c"], to: "2.0", from: "1.9"), to: id, at: at(0))

        // Host a: upload 0→1.5 s, switch 1.5→2 s, verify 2→4 s, all ok.
        let uploadA = try await store.beginPhase(.upload, host: "a", in: id, at: at(0))
        try await store.finishPhase(uploadA, outcome: .ok, detail: .object(["sha256": .string("ab12")]), at: at(1.5))
        let switchA = try await store.beginPhase(.switch, host: "a", in: id, at: at(1.5))
        try await store.finishPhase(switchA, outcome: .ok, at: at(2))
        let verifyA = try await store.beginPhase(.verify, host: "a", in: id, at: at(2))
        try await store.finishPhase(verifyA, outcome: .ok, at: at(4))
        try await store.setHostStatus(.succeeded, host: "a", in: id, at: at(4))
        // Host b: upload ok, verify failed, rolled back.
        let uploadB = try await store.beginPhase(.upload, host: "b", in: id, at: at(0))
        try await store.finishPhase(uploadB, outcome: .ok, at: at(1))
        let verifyB = try await store.beginPhase(.verify, host: "b", in: id, at: at(1))
        try await store.finishPhase(verifyB, outcome: .failed, error: "HTTP 503 from /health", at: at(3.25))
        try await store.setHostStatus(.failed, host: "b", in: id, error: "verify: HTTP 503 from /health", at: at(3.25))
        // Host c never started.
        try await store.setHostStatus(.skipped, host: "c", in: id, at: at(5))
        try await store.recordEvent(.interrupted, message: "stopped after batch 1", rolloutID: id, at: at(5))
        try await store.finishRollout(id, status: .partial, exitCode: 4, error: "1 host failed", at: at(6.5))

        let history = try await store.history()
        #expect(history.count == 1)
        let summary = try #require(history.first)
        #expect(summary.id == id)
        #expect(summary.inventory == "web" && summary.playbook == "web")
        #expect(summary.version == "2.0" && summary.previousVersion == "1.9")
        #expect(summary.status == .partial && summary.exitCode == 4 && summary.error == "1 host failed")
        #expect(summary.startedBy == alice)
        #expect(summary.startedAt == t0 && summary.finishedAt == at(6.5))
        #expect(summary.duration == .milliseconds(6500))
        #expect(summary.hostCounts == HostCounts(total: 3, ok: 1, failed: 1, skipped: 1))

        let detail = try #require(try await store.rollout(id))
        #expect(detail.summary == summary)
        #expect(detail.plan == begin.plan)
        #expect(detail.hosts.map(\.name) == ["a", "b", "c"])
        #expect(detail.hosts.map(\.status) == [.succeeded, .failed, .skipped])
        let a = detail.hosts[0]
        let b = detail.hosts[1]
        let c = detail.hosts[2]
        #expect(a.address == "10.0.0.1:22" && a.fromVersion == "1.9" && a.toVersion == "2.0" && a.strategy == "hot")
        #expect(a.phases.map(\.name) == ["upload", "switch", "verify"])
        #expect(a.phases.map(\.status) == [.ok, .ok, .ok])
        #expect(a.phases.map(\.duration) == [.milliseconds(1500), .milliseconds(500), .milliseconds(2000)])
        #expect(a.phases[0].detail?["sha256"] == .string("ab12"))
        #expect(a.duration == .seconds(4))
        #expect(b.phases.map(\.status) == [.ok, .failed])
        #expect(b.phases[1].error == "HTTP 503 from /health")
        #expect(b.error == "verify: HTTP 503 from /health" && b.batch == 0)
        #expect(c.phases.isEmpty && c.duration == nil && c.batch == 1)
        #expect(detail.events.map(\.kind) == [.interrupted])
        #expect(detail.events.first?.inventory == "web")
        #expect(try await store.unfinishedRollouts().isEmpty)
    }

    @Test(arguments: StoreBackend.allCases) func aPhaseBegunButNotFinishedIsRunningAndTheRolloutUnfinished(
        _ backend: StoreBackend
    ) async throws {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        let id = try await store.beginRollout(start("web", "2.0"))
        try await store.addHosts(hosts(["a", "b"], to: "2.0"), to: id)
        let upload = try await store.beginPhase(.upload, host: "a", in: id, at: at(0))
        try await store.finishPhase(upload, outcome: .ok, at: at(1))
        _ = try await store.beginPhase(.switch, host: "a", in: id, at: at(1))
        // The controller dies here. A second controller reads the journal from another connection.
        let reader = try await journal.reopen()
        let detail = try #require(try await reader.rollout(id))
        #expect(detail.status == .running && detail.summary.finishedAt == nil && detail.summary.duration == nil)
        #expect(detail.hosts[0].status == .running)
        #expect(detail.hosts[0].phases.map(\.status) == [.ok, .running])
        #expect(detail.hosts[0].phases[1].finishedAt == nil && detail.hosts[0].finishedAt == nil)
        #expect(detail.hosts[1].status == .pending)

        let unfinished = try await reader.unfinishedRollouts(inventory: "web")
        #expect(unfinished.map(\.id) == [id])
        #expect(unfinished[0].unfinishedHosts.map(\.name) == ["a", "b"])
        #expect(unfinished[0].hosts[0].phases.last?.name == "switch")
        #expect(try await reader.unfinishedRollouts(inventory: "api").isEmpty)

        // An interrupted rollout is still unfinished; a finished one is not.
        try await store.finishRollout(id, status: .interrupted, exitCode: 6)
        #expect(try await reader.unfinishedRollouts().map(\.id) == [id])
        try await store.finishRollout(id, status: .rolledBack, exitCode: 1)
        #expect(try await reader.unfinishedRollouts().isEmpty)
    }

    @Test(arguments: StoreBackend.allCases) func batchWritesAreAllOrNothing(_ backend: StoreBackend) async throws {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        let id = try await store.beginRollout(start("web", "2.0"))
        try await store.addHosts(hosts(["a", "b"], to: "2.0"), to: id)

        let duplicate = await #expect(throws: JournalError.self) {
            try await store.addHosts(hosts(["c", "a"], to: "2.0"), to: id)
        }
        #expect(duplicate?.code == .duplicateHost)
        let unknown = await #expect(throws: JournalError.self) {
            try await store.beginPhases(
                [PhaseStart(host: "a", phase: .upload), PhaseStart(host: "zz", phase: .upload)],
                in: id)
        }
        #expect(unknown?.code == .unknownHost)
        let detail = try #require(try await store.rollout(id))
        #expect(detail.hosts.map(\.name) == ["a", "b"])
        #expect(detail.hosts.allSatisfy { $0.phases.isEmpty && $0.status == .pending })

        let ids = try await store.beginPhases(
            [PhaseStart(host: "a", phase: .upload), PhaseStart(host: "b", phase: .upload)],
            in: id)
        try await store.finishPhase(ids[0], outcome: .ok)
        let twice = await #expect(throws: JournalError.self) {
            try await store.finishPhases([
                PhaseFinish(phaseID: ids[1], outcome: .ok),
                PhaseFinish(phaseID: ids[0], outcome: .failed),
            ])
        }
        #expect(twice?.code == .phaseAlreadyFinished)
        let phases = try #require(try await store.rollout(id)).hosts.flatMap(\.phases)
        #expect(phases.map(\.status) == [.ok, .running])
    }

    @Test(arguments: StoreBackend.allCases) func writesToUnknownIdsFailWithTheirCode(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        let missingRollout = await #expect(throws: JournalError.self) {
            try await store.addHosts(hosts(["a"], to: "1"), to: 77)
        }
        #expect(missingRollout?.code == .unknownRollout)
        let finish = await #expect(throws: JournalError.self) {
            try await store.finishRollout(77, status: .failed, exitCode: 1)
        }
        #expect(finish?.code == .unknownRollout)
        let running = await #expect(throws: JournalError.self) {
            try await store.finishRollout(77, status: .running, exitCode: 0)
        }
        #expect(running?.code == .invalidStatus)
        let phase = await #expect(throws: JournalError.self) { try await store.finishPhase(5, outcome: .ok) }
        #expect(phase?.code == .unknownPhase)
        #expect(try await store.rollout(77) == nil)
    }

    @Test(arguments: StoreBackend.allCases) func writesCompleteInACancelledTask(_ backend: StoreBackend) async throws {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        let id = try await store.beginRollout(start("web", "2.0"))
        try await store.addHosts(hosts(["a"], to: "2.0"), to: id)
        let phase = try await store.beginPhase(.switch, host: "a", in: id)
        // A controller stopped by Ctrl-C: its task is cancelled, and it journals how it stopped.
        let stopping = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await store.finishPhase(phase, outcome: .interrupted, error: "SIGINT")
            try await store.recordEvent(.interrupted, message: "SIGINT", rolloutID: id)
            try await store.finishRollout(id, status: .interrupted, exitCode: 6)
            return Task.isCancelled
        }
        #expect(try await stopping.value)
        let detail = try #require(try await store.rollout(id))
        #expect(detail.status == .interrupted && detail.summary.exitCode == 6)
        #expect(detail.hosts[0].phases.map(\.status) == [.interrupted])
        #expect(detail.events.map(\.kind) == [.interrupted])
    }
}

@Suite struct ConfigFileJournalTests {
    @Test(arguments: StoreBackend.allCases) func filesArePerHostInShowAndAnswerWhatWasLiveWhen(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        let first = try await store.beginRollout(start("web", "v1", previous: "v1"))
        try await store.addHosts(hosts(["web1", "web3"], to: "v1", from: "v1"), to: first, at: t0)
        let a = ConfigFileEntry(
            path: "/srv/shared/site.conf", source: "site.tmpl", sha256: "aa", size: 10, mode: "0644")
        try await store.recordConfigFiles([a], host: "web3", in: first, at: at(10))
        let other = ConfigFileEntry(path: "/srv/shared/site.conf", sha256: "a1", size: 9)
        try await store.recordConfigFiles([other], host: "web1", in: first, at: at(11))

        let second = try await store.beginRollout(start("web", "v1", previous: "v1"))
        try await store.addHosts(hosts(["web3"], to: "v1", from: "v1"), to: second, at: at(20))
        var b = a
        b.sha256 = "bb"
        b.previousSHA256 = "aa"
        try await store.recordConfigFiles([b], host: "web3", in: second, at: at(30))
        try await store.markConfigFilesRestored(host: "web3", in: second, at: at(40))

        func live(_ seconds: Double) async throws -> [String] {
            try await store.liveConfigFiles(inventory: "web", host: "web3", at: at(seconds)).map(\.sha256)
        }
        #expect(try await live(5) == [], "nothing recorded yet")
        #expect(try await live(15) == ["aa"])
        #expect(try await live(35) == ["bb"])
        #expect(try await live(45) == ["aa"], "restored: the earlier file is live again")
        #expect(try await store.liveConfigFiles(inventory: "api", host: "web3", at: at(45)).isEmpty)

        let detail = try #require(try await store.rollout(second))
        let files = try #require(detail.hosts.first?.files)
        #expect(files.map(\.sha256) == ["bb"])
        #expect(files.first?.previousSHA256 == "aa")
        #expect(files.first?.restoredAt == at(40))
        let firstDetail = try #require(try await store.rollout(first))
        #expect(firstDetail.hosts.map { $0.files.map(\.sha256) } == [["a1"], ["aa"]])
        // The hand-written document and the Encodable conformance agree, files included.
        #expect(detail.jsonText() + "\n" == (try JSONValue.formatted(detail)))
        #expect(detail.jsonText().contains("\"previous_sha256\": \"aa\""))
    }

    @Test(arguments: StoreBackend.allCases) func aFileOfAnUnknownHostIsRefused(_ backend: StoreBackend) async throws {
        let journal = try await TemporaryJournal(backend)
        let id = try await journal.store.beginRollout(start("web", "v1"))
        let error = await #expect(throws: JournalError.self) {
            try await journal.store.recordConfigFiles(
                [ConfigFileEntry(path: "/x", sha256: "aa", size: 1)], host: "nowhere", in: id)
        }
        #expect(error?.code == .unknownHost)
    }
}
