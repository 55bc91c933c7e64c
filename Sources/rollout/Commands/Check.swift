import ArgumentParser
import RolloutCore

/// `rollout check`: validates the inventory, the playbook and every variable for every host, touching no host.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the inventory, the playbook and the variables; report every problem at once.",
        discussion: """
            Each problem is printed as FILE:LINE:COLUMN: key `KEY`: message, with a suggestion when one exists. \
            Exits 0 when everything is valid, and with the invalid-input code otherwise. No host is touched.
            """)

    @OptionGroup var planning: PlanningOptions

    func run() async throws {
        // Every host of the playbook is checked, whatever --limit says, so a variable missing on a host
        // outside the limit is still found before that host's turn.
        let plan = try planning.loadPlan(limit: nil)
        var summary = "ok: \(plan.inventory) and \(plan.playbook) are valid (\(plan.hosts.count) hosts, "
        summary += "\(plan.batches.count) batch\(plan.batches.count == 1 ? "" : "es"), version \(plan.version.version))"
        if planning.limit != nil {
            // The limit itself must match hosts; a pattern matching nothing is reported like any other problem.
            summary += "; --limit selects \(try planning.loadPlan(limit: planning.limit).hosts.count)"
        }
        print(summary)
    }
}
