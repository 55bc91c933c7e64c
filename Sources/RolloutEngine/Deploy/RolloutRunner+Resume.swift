import Foundation
import RolloutCore
import RolloutJSON
import RolloutModel
import RolloutStore

/// `rollout resume` could not start.
public struct ResumeError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension RolloutRunner {
    /// Finishes an unfinished rollout (`running`: its controller died; `interrupted`/`aborted`: stopped by an
    /// operator). The rollout is read from the journal only once its inventory's lock is held, so what it starts
    /// from is what no other controller can change any more. Phases left `running` are closed as `interrupted`;
    /// hosts that finished keep their result; a host whose journal shows a failed step the dead controller was
    /// still handling keeps that failure (it counts against the budget) and only its rollback and undrain are
    /// finished; every other host runs its pipeline again from the start, which is idempotent (an upload already
    /// there is skipped, the switch and restart land on the same release) and always ends with the host restored in
    /// the gateway. The from-versions come from the journal, not from the hosts, which may already be switched.
    ///
    /// Whether it goes on or rolls back is decided as the controller that died would have: with the failure budget
    /// still holding, the remaining hosts run; with the budget already exceeded, only the hosts that were in flight
    /// finish their steps (so none stays half-switched or drained), no other host starts, and the rollback policy
    /// applies (`all` reverts every host this rollout moved).
    ///
    /// The canary gate holds as it would have: a canary whose bake had not passed bakes what is left of it (from
    /// the journaled end time) and is checked again; with `promote: manual` the rollout then waits, and continues
    /// only with `promote` (`rollout promote`). A rollout superseded by a newer one of its inventory is refused.
    public func resume(_ id: Int64, promote: Bool = false) async throws -> RolloutOutcome {
        try await withLock {
            let journal = settings.journal
            guard let detail = try await journal.rollout(id) else {
                throw ResumeError(
                    description: "rollout \(id) is not in the journal; `rollout history` lists the known ids")
            }
            if let refusal = try await Self.supersededRefusal(detail, journal: journal) { throw refusal }
            guard detail.status.isResumable else {
                throw ResumeError(
                    description: "rollout \(id) is \(detail.status.rawValue): only running, interrupted or aborted "
                        + "rollouts can be resumed; start a new one with `rollout deploy` or `rollout rollback`")
            }
            var progress = RolloutProgress(events: detail.events)
            let waiting = progress.waiting && !progress.promoted
            if waiting && !promote {
                throw ResumeError(description: "rollout \(id) waits after its canary for `rollout promote \(id)`")
            }
            if promote && !waiting {
                let baking = progress.bakeUntil != nil && !progress.baked
                throw ResumeError(
                    description: "rollout \(id) is not waiting for a promotion"
                        + (baking ? ": its canary had not finished baking; `rollout resume \(id)` bakes the rest" : ""))
            }
            if promote {
                try await journal.recordEvent(
                    .canaryPromoted, message: "canary of rollout \(id) promoted by \(settings.identity.displayName)",
                    rolloutID: id)
                progress.promoted = true
            }
            var closed: [PhaseFinish] = []
            for host in detail.hosts {
                for phase in host.phases where phase.status == .running {
                    closed.append(
                        PhaseFinish(
                            phaseID: phase.id, outcome: .interrupted,
                            error: "interrupted: the controller stopped during this step; resumed by rollout \(id)"))
                }
            }
            if !closed.isEmpty { try await journal.finishPhases(closed) }
            try await journal.recordEvent(
                .resumed, message: "rollout \(id) resumed by \(settings.identity.displayName)", rolloutID: id)
            try await recordFence(rolloutID: id)
            if detail.status != .running { try await journal.reopenRollout(id) }
            // Older unfinished rollouts a deploy killed before it could supersede them: this one does.
            let fleet = try await journal.fleetSpellings(ofFile: settings.inventory.file)
            for old in try await journal.resumableRollouts(inventories: fleet) where old.id < id {
                try await supersede(old, by: id)
            }
            var done: [String: HostRunResult] = [:]
            var failing: [(HostDetail, PhaseEntry)] = []
            for host in detail.hosts {
                if let failure = host.unrecordedFailure {
                    failing.append((host, failure))
                    continue
                }
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
            settings.observer.event(
                .rolloutStarted(
                    id: id, inventory: detail.summary.inventory, playbook: detail.summary.playbook,
                    version: detail.summary.version, previousVersion: detail.summary.previousVersion,
                    hosts: detail.hosts.count, batches: plan.batches.count))
            let from = Dictionary(uniqueKeysWithValues: detail.hosts.map { ($0.name, $0.fromVersion) })
            for result in await finishFailures(failing, id: id, from: from) { done[result.host] = result }
            let unfinished = detail.hosts.filter { done[$0.name] == nil }
            // Only hosts the dead controller had started on: one it never reached stays `pending` (a manual canary's
            // other hosts must still read as untouched while the rollout waits for `rollout promote`).
            await inspect(unfinished.filter { !$0.phases.isEmpty }, rolloutID: id)
            let failed = done.values.filter { $0.status == .failed || $0.status == .rolledBack }.count
            if failed > plan.failureBudget.maxFailures {
                let inFlight = unfinished.filter { host in host.phases.contains { $0.phase != .inspect } }
                try await journal.recordEvent(
                    .resumeRollingBack,
                    message:
                        "rollout \(id) had exceeded its failure budget (\(failed) failed, "
                        + "\(plan.failureBudget.maxFailures) allowed): finishing the \(inFlight.count) host(s) "
                        + "in flight, "
                        + "starting no other, then rollback policy `\(plan.rollback.rawValue)`",
                    rolloutID: id)
                for result in await finish(inFlight.map(\.name), id: id, from: from) {
                    done[result.host] = result
                }
            }
            return try await execute(id: id, fromVersions: from, done: done, progress: progress)
        }
    }

    /// Why rollout `detail` may not be resumed or promoted because a newer one of its inventory took over: it is
    /// `superseded`, or (in a journal written before rollouts superseded each other) a newer rollout began after it.
    /// Resuming it would put the fleet back on its older plan. Nil when it is the newest.
    public static func supersededRefusal(_ detail: RolloutDetail, journal: JournalStore) async throws -> ResumeError? {
        let newer = try await journal.newerRollout(
            than: detail.id, inventories: try await journal.fleetSpellings(ofFile: detail.summary.inventory))
        guard detail.status == .superseded || newer != nil else { return nil }
        let by = newer.map { "by rollout \($0.id) (\($0.version), \($0.status.rawValue))" } ?? "by a newer rollout"
        return ResumeError(
            description:
                "rollout \(detail.id) (\(detail.summary.version)) was superseded \(by) of \(detail.summary.inventory): "
                + "resuming or promoting it would undo the newer rollout; nothing was changed. Deploy the version you "
                + "want with `rollout deploy`")
    }

    /// Finishes the handling of failures a dead controller was in the middle of (`finishJournaledFailure`), all at
    /// once (they were in flight together).
    private func finishFailures(_ hosts: [(HostDetail, PhaseEntry)], id: Int64, from: [String: String?]) async
        -> [HostRunResult]
    {
        let context = makeContext(id: id)
        let plans = Dictionary(uniqueKeysWithValues: plan.hosts.map { ($0.name, $0) })
        let known = hosts.filter { plans[$0.0.name] != nil }
        return await boundedFanOut(known.indices.map { $0 }, limit: max(1, known.count)) { index in
            let (host, failure) = known[index]
            return await HostDeployer(context: context, plan: plans[host.name]!, fromVersion: from[host.name] ?? nil)
                .finishJournaledFailure(host, failure: failure)
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
            let drained = host.drainedInJournal
            let context = DeployContext(
                rolloutID: rolloutID, plan: plan, journal: journal, fleet: settings.fleet,
                inventoryHosts: [host.name: inventoryHost], observer: settings.observer, stop: settings.stop)
            _ = try? await context.phase(.inspect, host: host.name) {
                let shell = HostShell(
                    host: host.name, connection: try await settings.fleet.connection(to: inventoryHost))
                let link = try await Self.readCurrent(on: shell, root: hostPlan.root)
                let deployer = HostDeployer(context: context, plan: hostPlan, fromVersion: host.fromVersion)
                let serving = try? await deployer.agentControl(shell).servingVersion()
                return .object([
                    "current": link.map { .string("releases/\($0)") } ?? .null,
                    "serving": serving.map(JSONValue.string) ?? .null,
                    "drained_in_journal": .bool(drained),
                ])
            }
        }
    }
}
