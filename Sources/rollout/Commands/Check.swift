import ArgumentParser
import RolloutConfig
import RolloutCore

/// `rollout check`: validates the inventory, the playbook and every variable for every host, touching no host.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the inventory, the playbook and the variables; report every problem at once.",
        discussion: """
            Each problem is printed as FILE:LINE:COLUMN: key `KEY`: message, with a suggestion when one exists. \
            With --output json, one rollout.check/1 document on standard output holds the problems as data \
            (code, file, line, column, key, message, found, allowed, suggestion; see docs/playbook.md). \
            Exits 0 when everything is valid, and with the invalid-input code (2) otherwise. No host is touched.
            """)

    @OptionGroup var planning: PlanningOptions

    @Option(name: .shortAndLong, help: "text (for people) or json (the stable rollout.check/1 document).")
    var output: OutputFormat = .text

    func run() async throws {
        // Every host of the playbook is checked, whatever --limit says, so a variable missing on a host
        // outside the limit is still found before that host's turn.
        var problems: [ConfigError] = []
        var plan: Plan?
        switch try planning.attemptPlan(limit: nil) {
        case .success(let full): plan = full
        case .failure(let error): problems = error.all
        }
        // The limit itself must match hosts; a pattern matching nothing is reported like any other problem.
        var limited: Int?
        if plan != nil, let limit = planning.limit {
            switch try planning.attemptPlan(limit: limit) {
            case .success(let narrowed): limited = narrowed.hosts.count
            case .failure(let error): problems = error.all
            }
        }
        if output == .json {
            let report = CheckReport(
                inventory: planning.inventory, playbook: planning.playbook, plan: problems.isEmpty ? plan : nil,
                problems: problems)
            print(report.json.formatted(), terminator: "")
        } else if !problems.isEmpty {
            PlanningOptions.printProblems(problems)
        } else if let plan {
            var summary = "ok: \(plan.inventory) and \(plan.playbook) are valid (\(plan.hosts.count) hosts, "
            summary += "\(plan.batches.count) batch\(plan.batches.count == 1 ? "" : "es"), "
            summary += "version \(plan.version.version))"
            if let limited { summary += "; --limit selects \(limited)" }
            print(summary)
        }
        if !problems.isEmpty { throw RolloutExit.invalidInput }
        StandardOutput.exitSuccessfully()
    }
}
