import Foundation
import RolloutCore
import RolloutStore

/// `rollout resume` could not start.
public struct ResumeError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension RolloutRunner {
    /// Finishes an unfinished rollout (`running`: its controller died; `interrupted`/`aborted`: stopped by an
    /// operator). Phases left `running` are closed as `interrupted`; hosts that finished keep their result; every
    /// other host runs its pipeline again from the start, which is idempotent (an upload already there is skipped,
    /// the switch and restart land on the same release) and always ends with the host restored in the gateway.
    /// The from-versions come from the journal, not from the hosts, which may already be switched.
    ///
    /// Whether it goes on or rolls back is decided as the controller that died would have: with the failure budget
    /// still holding, the remaining hosts run; with the budget already exceeded, only the hosts that were in flight
    /// finish their steps (so none stays half-switched or drained), no other host starts, and the rollback policy
    /// applies (`all` reverts every host this rollout moved).
    ///
    /// A rollout stopped after its canary for `promote: manual` continues only with `promote` (`rollout promote`).
    public func resume(_ detail: RolloutDetail, promote: Bool = false) async throws -> RolloutOutcome {
        let resumable: Set<RolloutStatus> = [.running, .interrupted, .aborted]
        guard resumable.contains(detail.status) else {
            throw ResumeError(
                description: "rollout \(detail.id) is \(detail.status.rawValue): only running, interrupted or aborted "
                    + "rollouts can be resumed; start a new one with `rollout deploy` or `rollout rollback`")
        }
        let waiting =
            detail.events.contains { $0.kind.rawValue == "canary.waiting" }
            && !detail.events.contains { $0.kind == .canaryPromoted }
        if waiting && !promote {
            throw ResumeError(
                description: "rollout \(detail.id) waits after its canary for `rollout promote \(detail.id)`")
        }
        if promote && !waiting {
            throw ResumeError(description: "rollout \(detail.id) is not waiting for a promotion")
        }
        return try await withLock {
            let journal = settings.journal
            if promote {
                try await journal.recordEvent(
                    .canaryPromoted,
                    message: "canary of rollout \(detail.id) promoted by \(settings.identity.displayName)",
                    rolloutID: detail.id)
            }
            var closed: [PhaseFinish] = []
            for host in detail.hosts {
                for phase in host.phases where phase.status == .running {
                    closed.append(
                        PhaseFinish(
                            phaseID: phase.id, outcome: .interrupted,
                            error:
                                "interrupted: the controller stopped during this step; resumed by rollout \(detail.id)")
                    )
                }
            }
            if !closed.isEmpty { try await journal.finishPhases(closed) }
            try await journal.recordEvent(
                .resumed, message: "rollout \(detail.id) resumed by \(settings.identity.displayName)",
                rolloutID: detail.id)
            var done: [String: HostRunResult] = [:]
            for host in detail.hosts {
                switch host.status {
                case .succeeded, .unchanged:
                    done[host.name] = HostRunResult(
                        host: host.name, status: host.status, error: nil, onNewVersion: true)
                case .failed, .rolledBack:
                    done[host.name] = HostRunResult(
                        host: host.name, status: host.status,
                        error: host.error.map { DeployError(.command, $0) }, onNewVersion: host.status == .failed)
                case .pending, .running, .skipped:
                    continue
                }
            }
            let from = Dictionary(uniqueKeysWithValues: detail.hosts.map { ($0.name, $0.fromVersion) })
            let unfinished = detail.hosts.filter { done[$0.name] == nil }
            await inspect(unfinished, rolloutID: detail.id)
            settings.observer.event(
                .rolloutStarted(
                    id: detail.id, inventory: detail.summary.inventory, playbook: detail.summary.playbook,
                    version: detail.summary.version, previousVersion: detail.summary.previousVersion,
                    hosts: detail.hosts.count, batches: plan.batches.count))
            let failed = done.values.filter { $0.status == .failed || $0.status == .rolledBack }.count
            if failed > plan.failureBudget.maxFailures {
                let inFlight = unfinished.filter { host in host.phases.contains { $0.name != "inspect" } }
                try await journal.recordEvent(
                    .init("resume.rolling_back"),
                    message:
                        "rollout \(detail.id) had exceeded its failure budget (\(failed) failed, "
                        + "\(plan.failureBudget.maxFailures) allowed): finishing the \(inFlight.count) host(s) in flight, "
                        + "starting no other, then rollback policy `\(plan.rollback.rawValue)`",
                    rolloutID: detail.id)
                for result in await finish(inFlight.map(\.name), id: detail.id, from: from) {
                    done[result.host] = result
                }
            }
            return try await execute(id: detail.id, fromVersions: from, done: done, promoted: true)
        }
    }

    /// Runs the pipelines of hosts a dead controller left in flight, all at once (they were in flight together).
    private func finish(_ hosts: [String], id: Int64, from: [String: String?]) async -> [HostRunResult] {
        let context = makeContext(id: id)
        let plans = Dictionary(uniqueKeysWithValues: plan.hosts.map { ($0.name, $0) })
        return await boundedFanOut(hosts.filter { plans[$0] != nil }, limit: max(1, hosts.count)) { name in
            await HostDeployer(context: context, plan: plans[name]!, fromVersion: from[name] ?? nil).run()
        }
    }

    /// Journals what each unfinished host really runs before its steps are run again: the release `current` points
    /// to, the version the agent serves, and whether the journal saw it drained and not yet restored.
    private func inspect(_ hosts: [HostDetail], rolloutID: Int64) async {
        let journal = settings.journal
        let plans = Dictionary(uniqueKeysWithValues: plan.hosts.map { ($0.name, $0) })
        for host in hosts {
            guard let hostPlan = plans[host.name],
                let inventoryHost = settings.inventory.hosts.first(where: { $0.name == host.name })
            else { continue }
            let drained =
                host.phases.contains { $0.name == "drain" }
                && !host.phases.contains { $0.name == "undrain" && $0.status == .ok }
            let context = DeployContext(
                rolloutID: rolloutID, plan: plan, journal: journal, fleet: settings.fleet,
                inventoryHosts: [host.name: inventoryHost], observer: settings.observer, stop: settings.stop)
            _ = try? await context.phase("inspect", host: host.name) {
                let shell = HostShell(
                    host: host.name, connection: try await settings.fleet.connection(to: inventoryHost))
                let link = try await shell.run(ReleaseCommands(host: host.name, root: hostPlan.root).readCurrent())
                let deployer = HostDeployer(context: context, plan: hostPlan, fromVersion: host.fromVersion)
                let serving = try? await deployer.agentControl(shell).servingVersion()
                return .object([
                    "current": .string(link.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)),
                    "serving": serving.map(JournalJSON.string) ?? .null,
                    "drained_in_journal": .bool(drained),
                ])
            }
        }
    }
}
