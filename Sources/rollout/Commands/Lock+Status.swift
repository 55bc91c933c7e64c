import ArgumentParser
import Foundation
import RolloutStore

extension Lock {
    /// `rollout lock status [--inventory NAME]`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show who holds the lock of each inventory (or one).",
            discussion: "JSON: {\"locks\": [...]}, each with a state: held, expired or owner_gone."
        )

        @OptionGroup var journal: JournalOptions

        @Option(help: "Only this inventory's lock.")
        var inventory: String?

        func validate() throws {
            if let inventory, inventory.isEmpty { throw ValidationError("--inventory must not be empty") }
        }

        func run() async throws {
            try await withJournalErrors {
                let now = Date()
                let locks = try await journal.openExisting()?.lockStatus(inventory: inventory) ?? []
                let entries = locks.map { LockStatusEntry(lease: $0, state: .of($0, now: now)) }
                switch journal.output {
                case .json: try printJSON(LockStatusDocument(locks: entries))
                case .text: print(render(entries))
                }
            }
        }

        private func render(_ entries: [LockStatusEntry]) -> String {
            guard !entries.isEmpty else {
                return inventory.map { "No lock on inventory \($0)." } ?? "No inventory is locked."
            }
            let rows = entries.map { entry in
                [
                    entry.lease.inventory, entry.lease.owner.identity.displayName,
                    StoreText.when(entry.lease.acquiredAt), StoreText.when(entry.lease.heartbeatAt),
                    StoreText.when(entry.lease.expiresAt), entry.state.rawValue,
                ]
            }
            return StoreText.table(["INVENTORY", "OWNER", "ACQUIRED", "HEARTBEAT", "EXPIRES", "STATE"], rows)
        }
    }
}

/// Whether a lock's holder is still believed alive, as the next deploy would judge it.
enum LockState: String, Encodable {
    /// The lease is valid and the holder is not known to be gone.
    case held
    /// The lease expired: the next deploy takes it over.
    case expired
    /// The holder ran on this host and its process is gone: the next deploy takes it over.
    case ownerGone = "owner_gone"

    static func of(_ lease: LockLease, now: Date) -> LockState {
        if lease.isExpired(at: now) { return .expired }
        let identity = lease.owner.identity
        if identity.host == ControllerIdentity.currentHostName(), !ProcessLiveness.system(identity.pid) {
            return .ownerGone
        }
        return .held
    }
}

/// One lock in `rollout lock status --output json`: the lease's fields plus `state`.
struct LockStatusEntry: Encodable {
    var lease: LockLease
    var state: LockState

    enum CodingKeys: String, CodingKey { case state }

    func encode(to encoder: any Encoder) throws {
        try lease.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
    }
}

struct LockStatusDocument: Encodable {
    var locks: [LockStatusEntry]
}
