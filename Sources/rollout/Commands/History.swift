import ArgumentParser
import Foundation
import RolloutStore

/// `rollout history`: the latest rollouts, newest first.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List past rollouts, newest first.",
        discussion: "A missing journal is an empty history. JSON: {\"rollouts\": [...]}, described in docs/journal.md."
    )

    @OptionGroup var journal: JournalOptions

    @Option(help: "Only rollouts of this inventory (a name or a path: every spelling of the same file matches).")
    var inventory: String?

    @Option(help: "How many rollouts to list (1-10000).")
    var limit: Int = 20

    func validate() throws {
        guard (1...10_000).contains(limit) else {
            throw ValidationError("--limit must be between 1 and 10000, got \(limit)")
        }
        if let inventory, inventory.isEmpty { throw ValidationError("--inventory must not be empty") }
    }

    func run() async throws {
        try await withJournalErrors {
            var rollouts: [RolloutSummary] = []
            if let store = try await journal.openExisting() {
                var spellings: [String]?
                if let inventory {
                    spellings = FleetKey.spellings(inventory, in: store, among: try await store.inventoryNames())
                }
                rollouts = try await store.history(inventories: spellings, limit: limit)
            }
            switch journal.output {
            case .json: try printJSON(HistoryDocument(rollouts: rollouts))
            case .text: print(render(rollouts))
            }
        }
    }

    private func render(_ rollouts: [RolloutSummary]) -> String {
        guard !rollouts.isEmpty else {
            let scope = inventory.map { " for inventory \($0)" } ?? ""
            return "No rollouts recorded\(scope) in \(JournalState.display(journal.state))."
        }
        let rows = rollouts.map { rollout in
            [
                String(rollout.id), StoreText.when(rollout.startedAt), rollout.inventory, rollout.version,
                rollout.previousVersion ?? "-", rollout.status.rawValue,
                "\(rollout.hostCounts.ok)/\(rollout.hostCounts.failed + rollout.hostCounts.rolledBack)"
                    + " of \(rollout.hostCounts.total)",
                rollout.status.isUnfinished && rollout.finishedAt == nil
                    ? "running" : StoreText.duration(rollout.duration),
            ]
        }
        return StoreText.table(
            ["ID", "STARTED", "INVENTORY", "VERSION", "PREVIOUS", "STATUS", "HOSTS OK/FAILED", "DURATION"], rows)
    }
}

/// The JSON document of `rollout history`.
struct HistoryDocument: Encodable {
    var rollouts: [RolloutSummary]
}
