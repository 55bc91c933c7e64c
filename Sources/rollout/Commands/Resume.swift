import ArgumentParser
import Foundation
import RolloutConfig
import RolloutCore
import RolloutEngine
import RolloutStore

/// `rollout resume [ID]`: finishes a rollout whose controller died or was interrupted.
struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Finish an unfinished rollout (controller killed, Ctrl-C) from the journal and the hosts' state.",
        discussion: """
            Without ID: the newest unfinished rollout. The inventory and playbook are read again with the rollout's \
            journaled --var values, version and hosts (the artifact must be the one it started with). Hosts that \
            finished keep their result; the others run their steps again, which is idempotent, and drained hosts \
            are restored. A rollout that had already exceeded its failure budget only finishes the hosts in flight \
            and then applies its rollback policy. Exit codes as `rollout deploy`.
            """)

    @OptionGroup var target: ResumeTarget
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var run: DeployRunOptions

    func run() async throws {
        try await Self.resume(
            id: target.id, playbook: target.playbook, promote: false, connection: connection, run: run)
    }

    /// Finds the rollout, re-plans it and finishes it (shared with `rollout promote`).
    static func resume(
        id: Int64?, playbook: String?, promote: Bool, connection: ConnectionOptions, run: DeployRunOptions
    ) async throws {
        let journal = try run.openJournal()
        let detail: RolloutDetail
        if let id {
            guard let found = try await journal.rollout(id) else {
                printError("rollout \(id) is not in \(run.state); `rollout history` lists the known ids")
                throw RolloutExit.invalidInput
            }
            detail = found
        } else {
            let candidates = try await journal.history(limit: 50).filter {
                [.running, .interrupted, .aborted].contains($0.status)
            }
            guard let newest = candidates.first, let found = try await journal.rollout(newest.id) else {
                printError("no unfinished rollout in \(run.state)")
                throw RolloutExit.invalidInput
            }
            detail = found
        }
        if detail.summary.strategy?.hasPrefix("SIMULATED") == true {
            printError("rollout \(detail.id) was a simulation (`rollout deploy --simulate`): there is nothing to resume")
            throw RolloutExit.invalidInput
        }
        // Planned again from what the rollout was planned from: the journaled `--var` values, the same hosts and
        // version; a rollback keeps to the releases already on the hosts.
        let request = detail.plan?["request"]
        let vars: [String] =
            if case .array(let values)? = request?["vars"] {
                values.compactMap { if case .string(let text) = $0 { text } else { nil } }
            } else { [] }
        let reuseReleasesOnly = request?["reuse_releases_only"] == .bool(true)
        let hosts = detail.hosts.map(\.name).joined(separator: ",")
        let options = PlanOptions(
            inventory: detail.summary.inventory, playbook: playbook ?? detail.summary.playbook, limit: hosts,
            vars: vars, version: detail.summary.version, environment: ProcessInfo.processInfo.environment)
        let plan: Plan
        do {
            plan = try PlanLoader.plan(options)
        } catch {
            printError(error)
            throw RolloutExit.invalidInput
        }
        // The same version name must mean the same bytes: an artifact rebuilt since would land under the old name.
        let artifactNow = plan.artifact?.sha256 ?? "none"
        if !reuseReleasesOnly, case .string(let journaled)? = detail.plan?["artifact"]?["sha256"],
            journaled != artifactNow
        {
            printError(
                "the artifact changed since rollout \(detail.id) started (SHA-256 \(journaled.prefix(12)) then, "
                    + "\(artifactNow.prefix(12)) now): restore the artifact of version "
                    + "\(detail.summary.version), or start a new rollout with `rollout deploy`")
            throw RolloutExit.invalidInput
        }
        let inventory = try loadInventory(detail.summary.inventory)
        try await DeploySession(options: run, connection: connection).run(
            inventory: inventory, plan: plan, vars: vars
        ) { settings in
            var settings = settings
            settings.reuseReleasesOnly = reuseReleasesOnly
            do {
                return try await RolloutRunner(plan: plan, settings: settings).resume(detail, promote: promote)
            } catch let error as ResumeError {
                printError(error.description)
                throw RolloutExit.invalidInput
            }
        }
    }
}

/// Which rollout `resume` and `promote` continue.
struct ResumeTarget: ParsableArguments {
    @Argument(help: "The rollout id (see `rollout history`); default: the newest unfinished one.")
    var id: Int64?

    @Option(name: .shortAndLong, help: "Playbook name or path, when it is not the rollout's.")
    var playbook: String?
}
