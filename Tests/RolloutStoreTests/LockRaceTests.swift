import Foundation
import RolloutStore
import Testing

@Suite struct LockRaceTests {
    @Test(arguments: StoreBackend.allCases) func exactlyOneOfManyConcurrentAcquirersWins(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        let stores = [journal.store, try await journal.reopen()]
        for round in 0..<5 {
            let inventory = "web-\(round)"
            let results = try await withThrowingTaskGroup(of: LockAcquisition.self) { group in
                for index in 0..<40 {
                    let store = stores[index % 2]
                    group.addTask {
                        let owner = LockOwner(
                            identity: ControllerIdentity(user: "u\(index)", host: "h", pid: Int32(index)))
                        return try await store.acquireLock(
                            inventory: inventory, owner: owner, lease: .seconds(60), isProcessAlive: { _ in true })
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = results.compactMap(\.lease)
            #expect(winners.count == 1, "round \(round): \(winners.count) winners")
            let holder = try #require(try await stores[1].lockStatus(inventory: inventory).first)
            #expect(winners.first == holder)
            for case .held(let by) in results { #expect(by.owner == holder.owner) }
        }
    }

    /// An expired lease of a controller on another host, and many controllers racing to take it over (on PostgreSQL
    /// from several connections, as from several machines): exactly one takeover, recorded once.
    @Test(arguments: StoreBackend.allCases) func exactlyOneOfManyConcurrentTakeoversWins(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        var stores = [journal.store]
        for _ in 0..<3 { stores.append(try await journal.reopen()) }
        for round in 0..<5 {
            let inventory = "web-\(round)"
            let gone = LockOwner(identity: ControllerIdentity(user: "gone", host: "elsewhere", pid: 1))
            _ = try await journal.store.acquireLock(inventory: inventory, owner: gone, lease: .seconds(1), now: t0)
            let results = try await withThrowingTaskGroup(of: LockAcquisition.self) { group in
                for index in 0..<40 {
                    let store = stores[index % stores.count]
                    group.addTask {
                        let owner = LockOwner(
                            identity: ControllerIdentity(user: "u\(index)", host: "h", pid: Int32(index)))
                        return try await store.acquireLock(
                            inventory: inventory, owner: owner, lease: .seconds(60), now: at(60),
                            isProcessAlive: { _ in true })
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let takeovers = results.filter { if case .acquiredByTakeover = $0 { true } else { false } }
            #expect(takeovers.count == 1, "round \(round): \(takeovers.count) takeovers")
            #expect(results.compactMap(\.lease).count == 1, "round \(round)")
            let events = try await journal.store.events(inventory: inventory, kind: .lockTakeover)
            #expect(events.count == 1, "round \(round): \(events.count) takeover events")
            let holder = try #require(try await stores[1].lockStatus(inventory: inventory).first)
            #expect(takeovers.first?.lease == holder)
        }
    }
}
