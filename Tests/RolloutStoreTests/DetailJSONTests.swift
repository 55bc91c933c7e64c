import Foundation
import RolloutJSON
import RolloutModel
import RolloutStore
import Testing

@Suite struct DetailJSONTests {
    /// The streamed `jsonText()` must be exactly the document of the Encodable conformance, in the same layout.
    @Test(arguments: StoreBackend.allCases) func jsonTextIsTheEncodersDocument(_ backend: StoreBackend) async throws {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        var begin = start("web", "2.0", previous: nil)
        begin.plan = .object([
            "batches": .array([.array([.string("a")]), .array([])]), "canary": .bool(true), "empty": .object([:]),
            "max_failed": .int(-3), "ratio": .double(0.25), "note": .null,
        ])
        let id = try await store.beginRollout(begin)
        try await store.addHosts(hosts(["a", "b\u{1}\"q\"", "c/é\t"], to: "2.0", from: "1.0"), to: id, at: t0)
        let upload = try await store.beginPhase(
            .upload, host: "a", in: id, detail: .object(["files": .array([.object(["sha256": .string("ab")])])]),
            at: at(1))
        try await store.finishPhase(upload, outcome: .ok, at: at(2.5))
        let verify = try await store.beginPhase(.verify, host: "b\u{1}\"q\"", in: id, at: at(3))
        try await store.finishPhase(verify, outcome: .failed, error: "line 1\nline 2 \\ end", at: at(4))
        _ = try await store.beginPhase(.switch, host: "a", in: id, at: at(5))
        try await store.setHostStatus(.failed, host: "b\u{1}\"q\"", in: id, error: "verify", at: at(4))
        try await store.recordEvent(.canaryPromoted, message: "promoted", rolloutID: id, at: at(6))
        try await store.recordEvent(
            .interrupted, message: "SIGINT", rolloutID: id, detail: .object(["signal": .int(2)]), at: at(7))

        for detail in [try #require(try await store.rollout(id))] + (try await finishedWithoutHostsOrEvents(store)) {
            #expect(detail.jsonText() + "\n" == (try JSONValue.formatted(detail)))
        }
    }

    private func finishedWithoutHostsOrEvents(_ store: JournalStore) async throws -> [RolloutDetail] {
        let id = try await store.beginRollout(start("api", "1"))
        try await store.finishRollout(id, status: .aborted, exitCode: 1, error: "refused", at: at(9))
        return [try #require(try await store.rollout(id))]
    }
}
