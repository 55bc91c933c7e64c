import ArgumentParser
import Foundation
import RolloutStore

extension Lock {
    /// `rollout lock status [--inventory NAME]`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show who holds the lock of each inventory (or one).",
            discussion: """
                A lock is keyed by the canonical path of the inventory file (INVENTORY), whichever way --inventory \
                spells it. JSON: {"locks": [...]}, each with a state: held, expired_alive (the lease expired but \
                its holder runs on this host: not taken over), expired (holder on another host: taken over by the \
                next deploy) or owner_gone (same host, process gone or pid reused: taken over), and fence, the \
                acquisition's fencing token (null for a lock taken by an older controller).
                """
        )

        @OptionGroup var journal: JournalOptions

        @Option(help: "Only this inventory's lock (a name or a path).")
        var inventory: String?

        func validate() throws {
            if let inventory, inventory.isEmpty { throw ValidationError("--inventory must not be empty") }
        }

        func run() async throws {
            try await withJournalErrors {
                let now = Date()
                let store = try await journal.openExisting()
                var locks = try await store?.lockStatus() ?? []
                if let inventory, let store {
                    let spellings = FleetKey.spellings(inventory, in: store, among: locks.map(\.inventory))
                    locks = locks.filter { spellings.contains($0.inventory) }
                }
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
                    entry.lease.fence.map(String.init) ?? "-",
                ]
            }
            return StoreText.table(["INVENTORY", "OWNER", "ACQUIRED", "HEARTBEAT", "EXPIRES", "STATE", "FENCE"], rows)
        }
    }
}

/// Whether a lock's holder is still believed alive, as the next deploy would judge it
/// (``LockLease/takeoverReason(at:fromHost:isProcessAlive:processStart:)``).
enum LockState: String, Encodable {
    /// The lease is valid and the holder is not known to be gone.
    case held
    /// The lease expired but the holder runs on this host and is alive (stopped with Ctrl-Z or SIGSTOP, or
    /// stuck): it is not taken over. Continue it (`fg`, `kill -CONT`), or stop it and `rollout lock release --force`.
    case expiredAlive = "expired_alive"
    /// The lease expired and the holder runs on another host: the next deploy takes it over.
    case expired
    /// The holder ran on this host and its process is gone (or its pid was reused): the next deploy takes it over.
    case ownerGone = "owner_gone"

    static func of(_ lease: LockLease, now: Date) -> LockState {
        switch lease.takeoverReason(at: now, fromHost: ControllerIdentity.currentHostName()) {
        case .leaseExpired?: return .expired
        case .ownerProcessGone?, .ownerPidReused?: return .ownerGone
        case nil: return lease.isExpired(at: now) ? .expiredAlive : .held
        }
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
