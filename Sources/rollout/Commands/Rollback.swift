import ArgumentParser
import Foundation
import RolloutConfig
import RolloutCore
import RolloutEngine
import RolloutStore

/// `rollout rollback`: a rollout back to an earlier release that is still on the hosts.
struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Switch the hosts back to an earlier release (default: the last one that succeeded everywhere).",
        discussion: """
            Re-uses the releases already on the hosts (nothing is uploaded) and runs like a deploy: batches, \
            health checks, journal, lock. The default target is found in the rollouts of the same inventory file, \
            however --inventory spelled it then. A host that no longer has the release fails. Exit codes as `rollout deploy`.
            """)

    @OptionGroup var planning: PlanningOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var run: DeployRunOptions

    @Option(name: .long, help: "The release to go back to.")
    var to: String?

    func run() async throws {
        var target = to
        if target == nil {
            let journal = try await run.openJournal()
            let inventoryFile = try loadInventory(planning.inventory).file
            // Every spelling of the same inventory file is the same fleet (`--inventory lab`, a path to it).
            let spellings = try await journal.fleetSpellings(ofFile: inventoryFile)
            let latest = try await journal.history(inventories: spellings, limit: 1).first?.version
            target = try await journal.lastFullySucceededVersion(inventories: spellings, excluding: latest)
            guard target != nil else {
                printError(
                    "no earlier version succeeded on every host of \(inventoryFile) in \(JournalState.display(run.state)); pass --to VERSION"
                )
                throw RolloutExit.invalidInput
            }
        }
        var planning = self.planning
        planning.version = target
        let plan = try planning.loadPlan(limit: planning.limit)
        if let host = plan.hosts.first(where: { $0.strategy == .reload }) {
            // Re-running a config push would deploy the same files again, not the previous ones.
            printError(
                "\(plan.playbook): \(host.name) reloads configuration (`strategy: reload`); `rollout rollback` switches "
                    + "releases. Deploy the earlier configuration with `rollout deploy` instead (a failed config "
                    + "rollout already put the previous files back)")
            throw RolloutExit.invalidInput
        }
        let inventory = try loadInventory(planning.inventory)
        try await DeploySession(options: run, connection: connection).run(
            inventory: inventory, plan: plan, vars: planning.vars
        ) { settings in
            var settings = settings
            settings.reuseReleasesOnly = true
            return try await RolloutRunner(plan: plan, settings: settings).deploy()
        }
    }
}
