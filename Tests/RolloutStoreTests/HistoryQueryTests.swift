import Foundation
import RolloutStore
import Testing

@Suite struct HistoryQueryTests {
    @Test(arguments: StoreBackend.allCases) func newestFirstFilteredByInventoryAndLimited(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        let ok: [String: HostStatus] = ["a": .succeeded, "b": .succeeded]
        // Started out of id order: history sorts by start time, not insertion.
        let web1 = try await store.journalRollout("web", "1", hostStatuses: ok, status: .succeeded, at: at(0))
        let web3 = try await store.journalRollout("web", "3", hostStatuses: ok, status: .succeeded, at: at(300))
        let api1 = try await store.journalRollout("api", "1", hostStatuses: ok, status: .succeeded, at: at(150))
        let web2 = try await store.journalRollout(
            "web", "2", hostStatuses: ["a": .succeeded, "b": .failed, "c": .rolledBack], status: .failed, at: at(200))

        #expect(try await store.history().map(\.id) == [web3, web2, api1, web1])
        #expect(try await store.history(inventory: "web").map(\.id) == [web3, web2, web1])
        #expect(try await store.history(inventory: "web", limit: 2).map(\.id) == [web3, web2])
        #expect(try await store.history(inventory: "db").isEmpty)
        let failed = try #require(try await store.history(inventory: "web", limit: 2).last)
        #expect(failed.hostCounts == HostCounts(total: 3, ok: 1, failed: 1, rolledBack: 1))
        #expect(failed.duration == .seconds(2))
    }

    @Test(arguments: StoreBackend.allCases) func aRolloutWithoutHostsHasZeroCounts(_ backend: StoreBackend) async throws
    {
        let journal = try await TemporaryJournal(backend)
        let id = try await journal.store.beginRollout(start("web", "1"))
        let summary = try #require(try await journal.store.history().first)
        #expect(summary.id == id && summary.hostCounts == HostCounts() && summary.status == .running)
    }

    @Test(arguments: StoreBackend.allCases) func lastFullySucceededVersionSkipsFailedPartialAndUnfinishedRollouts(
        _ backend: StoreBackend
    ) async throws {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        #expect(try await store.lastFullySucceededVersion(inventory: "web") == nil)
        _ = try await store.journalRollout(
            "web", "1", hostStatuses: ["a": .succeeded, "b": .unchanged], status: .succeeded, at: at(0))
        _ = try await store.journalRollout(
            "web", "2", hostStatuses: ["a": .succeeded, "b": .succeeded], status: .succeeded, at: at(100))
        _ = try await store.journalRollout(
            "api", "9", hostStatuses: ["x": .succeeded], status: .succeeded, at: at(150))
        _ = try await store.journalRollout(
            "web", "3", hostStatuses: ["a": .succeeded, "b": .failed], status: .partial, at: at(200))
        _ = try await store.journalRollout(
            "web", "4", hostStatuses: ["a": .failed, "b": .rolledBack], status: .failed, at: at(300))
        // Marked succeeded but one host did not get there: not "succeeded on every host".
        _ = try await store.journalRollout(
            "web", "5", hostStatuses: ["a": .succeeded, "b": .skipped], status: .succeeded, at: at(400))
        _ = try await store.beginRollout(start("web", "6", at: at(500)))

        #expect(try await store.lastFullySucceededVersion(inventory: "web") == "2")
        #expect(try await store.lastFullySucceededVersion(inventory: "web", excluding: "2") == "1")
        #expect(try await store.lastFullySucceededVersion(inventory: "api") == "9")
    }

    @Test(arguments: StoreBackend.allCases) func currentVersionsFollowEachHostsLastKnownState(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        _ = try await store.journalRollout(
            "web", "1", hostStatuses: ["a": .succeeded, "b": .succeeded, "c": .succeeded], status: .succeeded,
            at: at(0))
        // a got 2; b was rolled back to 1; c failed (state unknown: its last known version stays 1).
        _ = try await store.journalRollout(
            "web", "2", previous: "1", hostStatuses: ["a": .succeeded, "b": .rolledBack, "c": .failed],
            status: .partial, at: at(100))
        _ = try await store.journalRollout("api", "7", hostStatuses: ["a": .succeeded], status: .succeeded, at: at(200))

        let versions = try await store.currentVersions(inventory: "web")
        #expect(versions.map(\.host) == ["a", "b", "c"])
        #expect(versions.map(\.version) == ["2", "1", "1"])
        #expect(versions[1].at == at(101))
    }
}
