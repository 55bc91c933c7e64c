import Foundation
import Testing

@testable import RolloutStore

/// Rollouts a newer one supersedes, reopened by resume, and events closed after a write-ahead.
@Suite struct SupersedeTests {
    @Test(arguments: StoreBackend.allCases) func aNewerRolloutSupersedesAnUnfinishedOneInOneTransaction(
        _ backend: StoreBackend
    ) async throws {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        let old = try await store.beginRollout(start("web", "2.0", at: at(0)))
        let aborted = try await store.beginRollout(start("web", "2.1", at: at(1)))
        try await store.finishRollout(aborted, status: .aborted, exitCode: 6)
        let other = try await store.beginRollout(start("api", "1.0", at: at(2)))
        let simulated = try await store.beginRollout(
            RolloutStart(
                inventory: "web", playbook: "web", version: "sim", strategy: "SIMULATED, serial 1", startedBy: alice,
                startedAt: at(3)))
        #expect(try await store.resumableRollouts(inventories: ["web"]).map(\.id) == [old, aborted])
        #expect(try await store.newerRollout(than: old, inventories: ["web"])?.id == aborted)
        #expect(
            try await store.newerRollout(than: aborted, inventories: ["web"]) == nil, "a simulation supersedes nothing")
        #expect(try await store.newerRollout(than: other, inventories: ["web"]) == nil, "another inventory")
        _ = simulated

        let new = try await store.beginRollout(start("web", "3.0", at: at(4)))
        #expect(try await store.supersedeRollout(old, by: new, message: "m", detail: ["restored": .array([])]))
        let detail = try #require(try await store.rollout(old))
        #expect(detail.status == .superseded && detail.summary.error == "superseded by rollout \(new)")
        #expect(detail.summary.finishedAt != nil)
        #expect(detail.events.map(\.kind) == [.superseded] && detail.events[0].detail?["by"] == .int(new))
        let newer = try #require(try await store.rollout(new))
        #expect(newer.events.map(\.kind) == [.supersedes] && newer.events[0].detail?["rollout"] == .int(old))
        #expect(try await store.resumableRollouts(inventories: ["web"]).map(\.id) == [aborted, new])
        // Once finished by someone else, it is left alone.
        try await store.finishRollout(aborted, status: .succeeded, exitCode: 0)
        #expect(try await store.supersedeRollout(aborted, by: new, message: "m") == false)
        #expect(try await store.rollout(aborted)?.status == .succeeded)
    }

    @Test(arguments: StoreBackend.allCases) func resumeReopensARolloutAndAWriteAheadEventIsClosed(
        _ backend: StoreBackend
    ) async throws {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        let id = try await store.beginRollout(start("web", "2.0"))
        try await store.finishRollout(id, status: .aborted, exitCode: 6, error: "interrupted")
        try await store.reopenRollout(id)
        let reopened = try #require(try await store.rollout(id))
        #expect(reopened.status == .running && reopened.summary.exitCode == nil && reopened.summary.finishedAt == nil)

        let event = try await store.recordEvent(
            .hookBeforeRollout, message: "running", rolloutID: id,
            detail: .object(["state": .string("running")]))
        try await store.updateEvent(event, message: "ok", detail: .object(["state": .string("ok"), "status": .int(0)]))
        let closed = try #require(try await store.events(rolloutID: id).first)
        #expect(closed.message == "ok" && closed.detail?["state"] == .string("ok"))
        await #expect(throws: JournalError.self) {
            try await store.updateEvent(event + 100, message: "x", detail: nil)
        }
    }
}
