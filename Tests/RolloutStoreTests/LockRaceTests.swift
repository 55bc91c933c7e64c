import Foundation
import RolloutStore
import Testing

@Suite struct LockRaceTests {
    @Test func exactlyOneOfManyConcurrentAcquirersWins() async throws {
        let journal = try TemporaryJournal()
        let stores = [journal.store, try journal.reopen()]
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
}
