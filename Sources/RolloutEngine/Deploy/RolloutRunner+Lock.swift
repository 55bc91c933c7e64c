import Foundation
import RolloutJSON
import RolloutStore

extension RolloutRunner {
    /// The key the fleet is locked under (``JournalStore/fleetKey(ofFile:)``): the canonical path of the inventory
    /// file, or in a journal shared by several machines its path inside the project; the same whichever way
    /// `--inventory` spelled it.
    var lockKey: String { settings.journal.fleetKey(ofFile: settings.inventory.file) }

    /// Takes the inventory's lock (waiting up to `lockWait`), renews it every third of the lease while `body`
    /// runs, and releases it afterwards, also when `body` throws.
    ///
    /// A lost lease (a renewal finds the lock released or held by someone else) stops the rollout at once, as a
    /// second Ctrl-C would (no further step starts, the steps in flight are cut, drained hosts are restored); the
    /// rollout ends `aborted` with exit 7 and a `lock.lost` event. An interrupted rollout gets a
    /// `rollout.interrupted` event.
    func withLock(_ body: () async throws -> RolloutOutcome) async throws -> RolloutOutcome {
        let journal = settings.journal
        let key = lockKey
        let owner = LockOwner.current(settings.identity)
        let lease = settings.lease
        let deadline = ContinuousClock.now + settings.lockWait
        while true {
            // Locks taken by a controller older than `v3-lock-identity` are keyed by the path it was given.
            let legacy = journal.fleetSpellings(of: key, among: try await journal.lockStatus().map(\.inventory))
            let attempt = try await journal.acquireLock(inventory: key, owner: owner, lease: lease, aliases: legacy)
            if let held = attempt.lease { settings.heldLock.hold(held) }
            switch attempt {
            case .acquired:
                break
            case .acquiredByTakeover(_, let previous, let reason):
                settings.observer.event(
                    .note("took over the lock of \(key) from \(previous.owner.displayName) (\(reason.rawValue))"))
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
        let observer = settings.observer
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: lease / 3)
                if Task.isCancelled { break }
                do {
                    try await journal.renewLock(inventory: key, owner: owner, lease: lease)
                } catch let error as JournalError where error.code == .lockNotHeld {
                    // Someone else holds (or removed) the lock: change nothing more rather than race them.
                    stop.loseLock(error.message)
                    observer.event(
                        .note("LOCK LOST: \(error.message); stopping now, drained hosts are restored"))
                    break
                } catch {
                    // The journal did not answer this time; the lease is still ours until it expires.
                    observer.event(.note("could not renew the lock of \(key): \(error); retrying"))
                }
            }
        }
        defer { heartbeat.cancel() }
        let outcome: RolloutOutcome
        do {
            outcome = try await body()
        } catch {
            heartbeat.cancel()
            _ = try? await journal.releaseLock(inventory: key, owner: owner)
            throw error
        }
        heartbeat.cancel()
        await recordStop(of: outcome, key: key)
        _ = try? await journal.releaseLock(inventory: key, owner: owner)
        return outcome
    }

    /// Journals why a rollout was stopped on purpose (`lock.lost` or `rollout.interrupted`), dated when it was;
    /// only when the outcome says so (a loss noticed after the rollout had finished changed nothing).
    private func recordStop(of outcome: RolloutOutcome, key: String) async {
        guard let id = outcome.id, let cause = settings.stop.cause, outcome.status == .aborted,
            [RolloutOutcome.Exit.lockLost, RolloutOutcome.Exit.interrupted].contains(outcome.exitCode)
        else { return }
        let at = settings.stop.causeDate ?? Date()
        let by = settings.identity.displayName
        switch cause {
        case .lockLost(let message):
            _ = try? await settings.journal.recordEvent(
                .lockLost,
                message: "rollout \(id) lost the lock of \(key) (\(message)); stopped with drained hosts restored",
                rolloutID: id,
                detail: .object([
                    "key": .string(key), "owner": .string(by), "reason": .string(message),
                    "exit_code": .int(Int64(outcome.exitCode)),
                    "fence": settings.heldLock.fence.map(JSONValue.int) ?? .null,
                ]),
                at: at)
        case .interrupted:
            _ = try? await settings.journal.recordEvent(
                .interrupted,
                message: "rollout \(id) interrupted (Ctrl-C or SIGTERM) on \(by); stopped with drained hosts restored",
                rolloutID: id,
                detail: .object([
                    "immediate": .bool(settings.stop.current == .immediate),
                    "exit_code": .int(Int64(outcome.exitCode)),
                ]),
                at: at)
        }
    }

    /// Journals on rollout `id` the fencing token of the lock this run holds (`lock.acquired`): which token its
    /// requests to the agents carry. A resumed rollout gets a new one with its new acquisition.
    func recordFence(rolloutID id: Int64) async throws {
        guard let lease = settings.heldLock.current, let fence = lease.fence else { return }
        try await settings.journal.recordEvent(
            .lockAcquired,
            message: "rollout \(id) holds the lock of \(lease.inventory) with fencing token \(fence)",
            rolloutID: id,
            detail: .object([
                "key": .string(lease.inventory), "fence": .int(fence), "owner": .string(lease.owner.displayName),
            ]))
    }
}
