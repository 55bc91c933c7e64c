import ArgumentParser
import Foundation
import RolloutConfig
import RolloutCore
import RolloutEngine
import RolloutJSON
import RolloutStore

/// `rollout resume [ID]`: finishes a rollout whose controller died or was interrupted.
struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Finish an unfinished rollout (controller killed, Ctrl-C) from the journal and the hosts' state.",
        discussion: """
            Without ID: the newest unfinished rollout. The inventory and playbook are read again with the rollout's \
            journaled --var values, version and hosts (the artifact must be the one it started with); the rollout \
            itself is read from the journal once its inventory's lock is held. Hosts that finished keep their \
            result; a host whose step had failed while the controller died keeps its failure (counted against the \
            budget) and only its rollback and undrain are finished; the others run their steps again, which is \
            idempotent, and drained hosts are restored. A canary that had not finished baking bakes the rest of its \
            bake time (from the journaled end) before any other batch, and a `promote: manual` canary then waits \
            for `rollout promote`. A rollout that had already exceeded its failure budget only finishes the hosts in \
            flight and then applies its rollback policy. A rollout superseded by a newer rollout of its inventory \
            (`rollout deploy` over it) is refused (exit 2): resuming it would undo the newer one. Exit codes as \
            `rollout deploy`.
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
        let journal = try await run.openJournal()
        let detail: RolloutDetail
        if let id {
            guard let found = try await journal.rollout(id) else {
                printError(
                    "rollout \(id) is not in \(JournalState.display(run.state)); `rollout history` lists the known ids")
                throw RolloutExit.invalidInput
            }
            detail = found
        } else {
            detail = try await newestResumable(journal, state: JournalState.display(run.state))
        }
        // Checked again by the runner under the lock; here so that a superseded rollout is refused before it is
        // planned again (its playbook may no longer even load).
        if let refusal = try await RolloutRunner.supersededRefusal(detail, journal: journal) {
            printError(refusal.description)
            throw RolloutExit.invalidInput
        }
        if detail.summary.strategy?.hasPrefix("SIMULATED") == true {
            printError(
                "rollout \(detail.id) was a simulation (`rollout deploy --simulate`): there is nothing to resume")
            throw RolloutExit.invalidInput
        }
        // Planned again from what the rollout was planned from: the journaled `--var` values, the same hosts and
        // version; a rollback keeps to the releases already on the hosts.
        let request = detail.plan?["request"]
        let vars = request?["vars"]?.arrayValue?.compactMap(\.stringValue) ?? []
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
                return try await RolloutRunner(plan: plan, settings: settings).resume(detail.id, promote: promote)
            } catch let error as ResumeError {
                printError(error.description)
                throw RolloutExit.invalidInput
            }
        }
    }
}

/// The newest rollout `resume`/`promote` may continue without an id: resumable, not a simulation, and the newest
/// rollout of its inventory (an unfinished rollout that a newer one superseded is never picked).
private func newestResumable(_ journal: JournalStore, state: String) async throws -> RolloutDetail {
    var superseded: [String] = []
    for summary in try await journal.history(limit: 50)
    where summary.status.isResumable || summary.status == .superseded {
        if summary.strategy?.hasPrefix("SIMULATED") == true { continue }
        let fleet = try await journal.fleetSpellings(ofFile: summary.inventory)
        if let newer = try await journal.newerRollout(than: summary.id, inventories: fleet) {
            superseded.append("\(summary.id) (superseded by \(newer.id))")
            continue
        }
        if summary.status == .superseded { continue }
        if let detail = try await journal.rollout(summary.id) { return detail }
    }
    printError(
        "no unfinished rollout in \(state)"
            + (superseded.isEmpty ? "" : "; unfinished but superseded: \(superseded.joined(separator: ", "))"))
    throw RolloutExit.invalidInput
}

/// Which rollout `resume` and `promote` continue.
struct ResumeTarget: ParsableArguments {
    @Argument(
        help:
            "The rollout id (see `rollout history`); default: the newest unfinished one not superseded by a newer one.")
    var id: Int64?

    @Option(name: .shortAndLong, help: "Playbook name or path, when it is not the rollout's.")
    var playbook: String?
}
