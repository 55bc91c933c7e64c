import ArgumentParser
import RolloutCore

/// `rollout plan`: shows exactly what `rollout deploy` would do, touching no host.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the batches, the canary, the failure budget and every command a rollout would run.",
        discussion:
            "Nothing on any host is touched. The JSON form (schema rollout.plan/1) is documented in docs/playbook.md.")

    @OptionGroup var planning: PlanningOptions

    @Option(name: .shortAndLong, help: "text (for people) or json (the stable rollout.plan/1 document).")
    var output: OutputFormat = .text

    func run() async throws {
        let plan = try planning.loadPlan(limit: planning.limit)
        // Written as it is produced: the text of a 10,000-host plan is never held whole in memory.
        let out = StandardOutput.buffer()
        if output == .json { plan.writeJSON(to: out) } else { plan.writeText(to: out) }
        out.finish()
        StandardOutput.exitSuccessfully()
    }
}
