import Foundation
import RolloutStore

extension RolloutRunner {
    /// Takes the inventory's lock (waiting up to `lockWait`), renews it every third of the lease while `body`
    /// runs, and releases it afterwards, also when `body` throws. A lost lease stops the rollout.
    func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let journal = settings.journal
        let inventory = plan.inventory
        let owner = LockOwner(identity: settings.identity)
        let lease = settings.lease
        let deadline = ContinuousClock.now + settings.lockWait
        while true {
            let attempt = try await journal.acquireLock(inventory: inventory, owner: owner, lease: lease)
            switch attempt {
            case .acquired:
                break
            case .acquiredByTakeover(_, let previous, let reason):
                settings.observer.event(
                    .note("took over the lock of \(inventory) from \(previous.owner.displayName) (\(reason.rawValue))"))
            case .held(let holder):
                if ContinuousClock.now < deadline {
                    settings.observer.event(.note("waiting for the lock held by \(holder.owner.displayName)"))
                    try await Task.sleep(for: .seconds(1))
                    continue
                }
                throw LockHeldError(holder: holder)
            }
            break
        }
        let stop = settings.stop
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: lease / 3)
                if Task.isCancelled { break }
                do {
                    try await journal.renewLock(inventory: inventory, owner: owner, lease: lease)
                } catch {
                    // Someone took the lock over: stop starting hosts rather than race them.
                    stop.stop(.interrupted)
                    break
                }
            }
        }
        defer { heartbeat.cancel() }
        do {
            let result = try await body()
            heartbeat.cancel()
            _ = try? await journal.releaseLock(inventory: inventory, owner: owner)
            return result
        } catch {
            heartbeat.cancel()
            _ = try? await journal.releaseLock(inventory: inventory, owner: owner)
            throw error
        }
    }
}
