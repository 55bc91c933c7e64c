import ArgumentParser
import Foundation
import RolloutStore

extension Lock {
    /// `rollout lock release --inventory NAME --force`.
    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an inventory's lock whoever holds it (recorded as a lock.force_release event).",
            discussion:
                "Only when its holder is surely gone: a live rollout that loses its lock stops at its next heartbeat "
                + "(exit 7, drained hosts restored). --inventory is a name or a path; the lock is the inventory file's."
        )

        @OptionGroup var journal: JournalOptions

        @Option(help: "The inventory whose lock to remove.")
        var inventory: String

        @Flag(help: "Confirm that the lock should be removed even though its holder may be alive.")
        var force = false

        func validate() throws {
            guard !inventory.isEmpty else { throw ValidationError("--inventory must not be empty") }
            guard force else {
                throw ValidationError(
                    "releasing another controller's lock needs --force; check with `rollout lock status` that its "
                        + "holder is gone (a dead holder's lock is taken over by the next deploy without this)")
            }
        }

        func run() async throws {
            try await withJournalErrors {
                let releasedBy = ControllerIdentity.current(ciJob: CIJob.detect(ProcessInfo.processInfo.environment))
                guard let store = try await journal.openExisting() else { return try report(key: inventory, nil) }
                // The fleet's key, and any older lock of it keyed by a typed path.
                let locks = try await store.lockStatus().map(\.inventory)
                let spellings = FleetKey.spellings(inventory, in: store, among: locks)
                var released = false
                for key in spellings where locks.contains(key) {
                    try report(key: key, try await store.forceReleaseLock(inventory: key, releasedBy: releasedBy))
                    released = true
                }
                if !released { try report(key: spellings[0], nil) }
            }
        }

        private func report(key: String, _ previous: LockLease?) throws {
            switch journal.output {
            case .json: try printJSON(ReleaseDocument(inventory: key, released: previous))
            case .text:
                if let previous {
                    print(
                        "Released the lock of \(key) held by \(previous.owner.displayName) since "
                            + "\(StoreText.when(previous.acquiredAt)).")
                } else {
                    print("No lock on inventory \(inventory) (\(key)); nothing to release.")
                }
            }
        }
    }
}

/// The JSON document of `rollout lock release`: the removed lease, or null.
struct ReleaseDocument: Encodable {
    var inventory: String
    var released: LockLease?

    enum CodingKeys: String, CodingKey { case inventory, released }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(inventory, forKey: .inventory)
        try container.encode(released, forKey: .released)
    }
}
