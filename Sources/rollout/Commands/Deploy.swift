import ArgumentParser
import Foundation
import RolloutConfig
import RolloutCore
import RolloutEngine

/// `rollout deploy`: carries out exactly the plan `rollout plan` prints.
struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Roll a release out to the inventory's hosts, batch by batch, journaling every step.",
        discussion: """
            Exactly the plan `rollout plan` prints is carried out. Nothing on any host changes before the inventory \
            and playbook are fully validated. Exit codes: 0 every host on the new version; 1 failed, no host left on \
            the new version (those switched were switched back); 2 invalid input; 3 hosts unreachable, no host left \
            on the new version; 4 failed and hosts left on the new version (wins over 1 and 3); 5 lock held; \
            6 interrupted (rollout aborted; `rollout resume` finishes it); 7 the lock was lost (stopped at once, \
            drained hosts restored); 70 internal error.

            An unfinished rollout of the same inventory (killed, interrupted, waiting for `rollout promote`) is \
            superseded by this one: it is named in the output and the journal (`rollout.supersedes`), every host it \
            left drained is restored in the gateway first, and it can no longer be resumed or promoted.

            --simulate runs the same rollout over SIMULATED hosts that answer from memory after a random delay and \
            never touch the network (docs/scale.md): KEY=VALUE pairs hosts=N (generate sim0001... as the inventory \
            named by --inventory, written under the journal's directory in simulated/), latency=20ms..200ms, \
            failure-rate=0.1%, unreachable=0.1% (those hosts never answer: their connect fails after \
            --connect-timeout), seed=N, initial=VERSION. A bad value exits 2 naming its key.
            """)

    @OptionGroup var planning: PlanningOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var run: DeployRunOptions

    @Option(
        help: "Simulate the hosts: hosts=N,latency=MIN..MAX,failure-rate=R%,unreachable=R%,seed=N (docs/deploy.md).")
    var simulate: String?

    func run() async throws {
        guard let simulate else {
            let plan = try planning.loadPlan(limit: planning.limit)
            let inventory = try loadInventory(planning.inventory)
            try await DeploySession(options: run, connection: connection).run(
                inventory: inventory, plan: plan, vars: planning.vars
            ) { settings in
                try await RolloutRunner(plan: plan, settings: settings).deploy()
            }
        }
        try await runSimulation(simulate)
    }
}

/// Loads an inventory already validated by the planner (exit 2 should it fail now).
func loadInventory(_ name: String) throws -> Inventory {
    do {
        return try Inventory.load(name)
    } catch {
        printError(error)
        throw RolloutExit.invalidInput
    }
}
