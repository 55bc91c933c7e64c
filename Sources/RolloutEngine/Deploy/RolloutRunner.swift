import Foundation
import RolloutConfig
import RolloutCore
import RolloutGateway
import RolloutJSON
import RolloutModel
import RolloutStore

/// What a run needs besides the plan.
public struct RolloutSettings: Sendable {
    public var inventory: Inventory
    public var journal: JournalStore
    public var fleet: FleetConnections
    public var observer: any DeployObserver
    public var stop: StopSignal
    public var identity: ControllerIdentity
    /// How long to wait for a held lock before giving up (zero: do not wait).
    public var lockWait: Duration
    /// The lock lease; renewed every third of it while the rollout runs.
    public var lease: Duration
    public var baseDirectory: String
    /// `rollout rollback`: switch to releases already on the hosts; a host without it fails.
    public var reuseReleasesOnly = false
    /// The playbook's traffic gateway (`GatewayBinding.make`), for `drain` hosts.
    public var gateway: GatewayBinding?
    /// The `--var key=value` arguments the plan was made with; journaled so that `rollout resume` plans the same.
    public var extraVars: [String] = []
    /// Set when the fleet is simulated (`rollout deploy --simulate`): the journal says so (strategy and an event).
    public var simulation: SimulationSpec?
    /// The lease this run holds once it has the lock (set by the lock, read by every host deployer).
    public let heldLock = HeldLock()

    public init(
        inventory: Inventory, journal: JournalStore, fleet: FleetConnections, observer: any DeployObserver,
        stop: StopSignal, identity: ControllerIdentity, lockWait: Duration = .zero, lease: Duration = .seconds(60),
        baseDirectory: String = "."
    ) {
        self.inventory = inventory
        self.journal = journal
        self.fleet = fleet
        self.observer = observer
        self.stop = stop
        self.identity = identity
        self.lockWait = lockWait
        self.lease = lease
        self.baseDirectory = baseDirectory
    }
}

/// The lock could not be taken: someone alive holds it.
public struct LockHeldError: Error, Sendable, CustomStringConvertible {
    public var holder: LockLease
    public var description: String {
        "the inventory \(holder.inventory) is locked by \(holder.owner.displayName) since "
            + "\(JournalTime.string(from: holder.acquiredAt)) (lease until \(JournalTime.string(from: holder.expiresAt))); "
            + "wait with --lock-wait DURATION, or `rollout lock release --force` if that rollout is gone"
    }
}

/// Carries out a plan: lock, journal, batches with their concurrency, the failure budget, the rollback policy.
public struct RolloutRunner: Sendable {
    public var plan: Plan
    public var settings: RolloutSettings

    public init(plan: Plan, settings: RolloutSettings) {
        self.plan = plan
        self.settings = settings
    }

    /// Runs a new rollout of `plan`. Throws `LockHeldError` (nothing journaled for the rollout) or a journal error.
    ///
    /// Under the lock, unfinished rollouts of the same inventory are read first: this one supersedes them (each is
    /// named, every host it left drained is put back in the gateway, and it is marked `superseded` so that
    /// `rollout resume` or `promote` can no longer pick it up and undo this one).
    public func deploy() async throws -> RolloutOutcome {
        try await withLock {
            let journal = settings.journal
            let unfinished =
                settings.simulation == nil
                ? try await journal.resumableRollouts(
                    inventories: try await journal.fleetSpellings(ofFile: settings.inventory.file)) : []
            let read = await currentVersions()
            let current = read.versions
            let previous = Self.mostCommon(current.values.compactMap { $0 })
            let id = try await journal.beginRollout(
                RolloutStart(
                    inventory: plan.inventory, playbook: plan.playbook, version: journalVersion(previous: previous),
                    previousVersion: previous, strategy: strategySummary, startedBy: settings.identity,
                    plan: journaledPlan))
            try await recordFence(rolloutID: id)
            let batchOf = Dictionary(
                uniqueKeysWithValues: plan.batches.flatMap { b in b.hosts.map { ($0, b.index - 1) } })
            try await journal.addHosts(
                plan.hosts.enumerated().map { index, host in
                    HostEntry(
                        name: host.name, address: "\(host.address):\(host.port)", position: index,
                        batch: batchOf[host.name] ?? 0, fromVersion: current[host.name] ?? nil,
                        toVersion: targetVersion(of: host, current: current[host.name] ?? nil, previous: previous),
                        strategy: host.strategy.rawValue)
                }, to: id)
            if let simulation = settings.simulation {
                try await journal.recordEvent(
                    .simulation,
                    message: "SIMULATED rollout: \(plan.hosts.count) simulated hosts (\(simulation.summary)); "
                        + "no host was contacted and nothing was deployed",
                    rolloutID: id)
            }
            settings.observer.event(
                .rolloutStarted(
                    id: id, inventory: plan.inventory, playbook: plan.playbook,
                    version: journalVersion(previous: previous),
                    previousVersion: previous, hosts: plan.hosts.count, batches: plan.batches.count))
            for old in unfinished { try await supersede(old, by: id) }
            let failed = await failUnreadable(read.unreadable, id: id)
            return try await execute(id: id, fromVersions: current, done: failed)
        }
    }

    /// Hosts whose `current` could not be read fail before anything is done to them: deploying them as a first
    /// deployment would leave them without a release to roll back to. Journaled as a failed `prepare` step.
    private func failUnreadable(_ unreadable: [String: DeployError], id: Int64) async -> [String: HostRunResult] {
        let context = makeContext(id: id)
        var failed: [String: HostRunResult] = [:]
        for (name, error) in unreadable.sorted(by: { $0.key < $1.key }) {
            _ = try? await context.phase(.prepare, host: name) { throw error }
            try? await settings.journal.setHostStatus(.failed, host: name, in: id, error: error.description)
            settings.observer.event(
                .hostFinished(host: name, status: .failed, error: error.description, milliseconds: 0))
            failed[name] = HostRunResult(host: name, status: .failed, error: error, onNewVersion: false)
        }
        return failed
    }

    /// The plan as journaled: its JSON with a `request` member holding what else it was made from (the `--var`
    /// arguments, and whether it may only re-use releases already on the hosts), which `rollout resume` reads back.
    var journaledPlan: JSONValue? {
        guard case .object(var members)? = plan.journalJSON else { return nil }
        members["request"] = .object([
            "vars": .array(settings.extraVars.map(JSONValue.string)),
            "reuse_releases_only": .bool(settings.reuseReleasesOnly),
        ])
        return .object(members)
    }

    /// What every host deployer of rollout `id` shares.
    func makeContext(id: Int64) -> DeployContext {
        var hostsByName: [String: InventoryHost] = [:]
        for host in settings.inventory.hosts { hostsByName[host.name] = host }
        var context = DeployContext(
            rolloutID: id, plan: plan, journal: settings.journal, fleet: settings.fleet,
            inventoryHosts: hostsByName, observer: settings.observer, stop: settings.stop,
            baseDirectory: settings.baseDirectory)
        context.reuseReleasesOnly = settings.reuseReleasesOnly
        context.gateway = settings.gateway
        context.fence = settings.heldLock.fence
        return context
    }

    /// Runs the batches of rollout `id`; hosts in `done` already finished (resume, or failed before the start) and
    /// are not run again. `progress` is what the journal says was already done of the rollout's own steps (its
    /// `before_rollout` hooks, its canary's bake and promotion), so a resumed rollout does the rest of them only.
    func execute(
        id: Int64, fromVersions: [String: String?], done: [String: HostRunResult],
        progress: RolloutProgress = RolloutProgress()
    ) async throws -> RolloutOutcome {
        let context = makeContext(id: id)
        let plans = Dictionary(uniqueKeysWithValues: plan.hosts.map { ($0.name, $0) })
        let tally = FailureTally(budget: plan.failureBudget.maxFailures, stop: settings.stop)
        for result in done.values where result.status == .failed || result.status == .rolledBack {
            tally.record(result)
        }
        var results = done
        // `before_rollout` hooks run once, before any host; a failing one stops the rollout with nothing touched.
        // None runs for a rollout that already failed (hosts whose `current` could not be read, a resume rolling back).
        var hookFailure: String?
        if !tally.exceeded,
            let failure = await runHooks(
                plan.beforeRollout, id: id, kind: .hookBeforeRollout, done: progress.hooksDone)
        {
            hookFailure = failure
            tally.failWith(failure)
        }
        for batch in plan.batches {
            if settings.stop.isStopped { break }
            let pending = batch.hosts.filter { results[$0] == nil }
            if !pending.isEmpty {
                settings.observer.event(.batchStarted(index: batch.index, kind: batch.kind.rawValue, hosts: pending))
                let batchResults = await boundedFanOut(pending, limit: max(1, batch.concurrency)) { name in
                    if settings.stop.isStopped {
                        return HostRunResult(host: name, status: .skipped, error: nil, onNewVersion: false)
                    }
                    let result = await HostDeployer(
                        context: context, plan: plans[name]!, fromVersion: fromVersions[name] ?? nil
                    ).run()
                    tally.record(result)
                    return result
                }
                for result in batchResults { results[result.host] = result }
            }
            // The canary's gate holds whether its hosts ran now or before a resume: bake (what is left of it),
            // then wait for `rollout promote`.
            guard batch.kind == .canary, !settings.stop.isStopped else { continue }
            if let bake = batch.bake, bake > .zero, !progress.baked {
                for result in await self.bake(
                    batch, for: bake, until: progress.bakeUntil, id: id, results: results, context: context,
                    plans: plans, from: fromVersions)
                {
                    results[result.host] = result
                    tally.record(result)
                }
                if settings.stop.isStopped { continue }
            }
            if batch.waitForPromote, !progress.promoted {
                if !progress.waiting {
                    try await settings.journal.recordEvent(
                        .canaryWaiting, message: "canary verified; waiting for `rollout promote \(id)`", rolloutID: id)
                }
                settings.observer.event(.note("canary verified; the rest waits for `rollout promote \(id)`"))
                return RolloutOutcome(
                    id: id, status: .running, exitCode: RolloutOutcome.Exit.ok, error: nil,
                    hosts: plan.hosts.compactMap { results[$0.name] })
            }
        }
        // Hosts never started: skipped, journaled as such.
        for host in plan.hosts where results[host.name] == nil || results[host.name]?.status == .skipped {
            results[host.name] = HostRunResult(host: host.name, status: .skipped, error: nil, onNewVersion: false)
            try? await settings.journal.setHostStatus(.skipped, host: host.name, in: id)
        }
        if !settings.stop.isStopped, !tally.exceeded,
            let failure = await runHooks(plan.afterRollout, id: id, kind: .hookAfterRollout)
        {
            settings.observer.event(.note("after_rollout hook failed: \(failure)"))
        }
        if tally.exceeded && plan.rollback == .all && !settings.stop.isInterrupted {
            await revertAll(&results, context: context, fromVersions: fromVersions, plans: plans)
        }
        let ordered = plan.hosts.compactMap { results[$0.name] }
        var outcome = RolloutOutcome.decide(
            id: id, results: ordered, exceeded: tally.exceeded, stopped: settings.stop.cause)
        if let hookFailure {
            (outcome.status, outcome.exitCode, outcome.error) = (.aborted, RolloutOutcome.Exit.rolledBack, hookFailure)
        }
        try await settings.journal.finishRollout(
            id, status: outcome.status, exitCode: outcome.exitCode, error: outcome.error)
        settings.observer.event(
            .rolloutFinished(id: id, status: outcome.status, exitCode: outcome.exitCode, error: outcome.error))
        return outcome
    }

    /// After the bake time the canaries' health checks must still pass; a canary that fails now is reverted
    /// (per the rollback policy) and counted as a failure.
    func bakeCheck(
        _ batch: PlanBatch, results: [String: HostRunResult], context: DeployContext, plans: [String: HostPlan],
        from: [String: String?]
    ) async -> [HostRunResult] {
        var changed: [HostRunResult] = []
        for name in batch.hosts where results[name]?.status == .succeeded {
            guard let host = context.inventoryHosts[name], let hostPlan = plans[name] else { continue }
            let deployer = HostDeployer(context: context, plan: hostPlan, fromVersion: from[name] ?? nil)
            do {
                let shell = HostShell(host: name, connection: try await context.fleet.connection(to: host))
                try await context.phase(.bake, host: name) {
                    try await HealthVerifier(shell: shell).verify(deployer.healthChecks)
                }
            } catch {
                var result = HostRunResult(host: name, status: .failed, error: DeployError(error), onNewVersion: true)
                if plan.rollback != .none, let previous = from[name] ?? nil,
                    let shell = try? await context.fleet.connection(to: host)
                {
                    let hostShell = HostShell(host: name, connection: shell)
                    await deployer.revert(to: previous, shell: hostShell, updating: &result)
                }
                try? await settings.journal.setHostStatus(
                    result.status, host: name, in: context.rolloutID, error: result.error?.description)
                changed.append(result)
            }
        }
        return changed
    }

    /// Runs rollout-level hooks on the controller in order, skipping those `done` lists (by position, journaled
    /// as passed before a resume); the first failure's message. Each is journaled write-ahead: an event
    /// `hook.NAME` with `state: running` before the command starts, closed with its exit status and output after.
    private func runHooks(_ hooks: [PlannedCommand], id: Int64, kind: EventKind, done: Set<Int> = []) async
        -> String?
    {
        let name = kind.rawValue.dropFirst("hook.".count)
        for (index, hook) in hooks.enumerated() where !done.contains(index) {
            let label = "\(name) `\(hook.argv.last ?? hook.line)`"
            let event = try? await settings.journal.recordEvent(
                kind, message: "\(label): running", rolloutID: id,
                detail: .object(["index": .int(Int64(index)), "state": .string("running")]))
            let result: GatewayCommandResult
            do {
                result = try await LocalGatewayRunner().run(
                    hook.line, stdin: nil, timeout: hook.timeout ?? .seconds(300))
            } catch {
                result = GatewayCommandResult(status: -1, stdout: "", stderr: "\(error)")
            }
            let ok = result.status == 0
            let message = "\(label): " + (ok ? "ok" : "exit \(result.status): \(result.stderr.suffix(300))")
            if let event {
                try? await settings.journal.updateEvent(
                    event, message: message,
                    detail: .object([
                        "index": .int(Int64(index)), "state": .string(ok ? "ok" : "failed"),
                        "status": .int(Int64(result.status)), "stdout": .string(String(result.stdout.suffix(2000))),
                    ]))
            }
            settings.observer.event(.note(message))
            if !ok { return message }
        }
        return nil
    }

    /// `rollback: all`: every host this rollout moved to the new version goes back, newest first.
    private func revertAll(
        _ results: inout [String: HostRunResult], context: DeployContext, fromVersions: [String: String?],
        plans: [String: HostPlan]
    ) async {
        let moved = plan.hosts.reversed().filter {
            results[$0.name]?.onNewVersion == true && results[$0.name]?.status != .unchanged
        }
        for host in moved {
            guard let from = fromVersions[host.name] ?? nil else { continue }
            let deployer = HostDeployer(context: context, plan: host, fromVersion: from)
            do {
                guard let inventoryHost = context.inventoryHosts[host.name] else { continue }
                let shell = HostShell(
                    host: host.name, connection: try await context.fleet.connection(to: inventoryHost))
                try await deployer.revertInRotation(to: from, shell: shell, agent: deployer.agentControl(shell))
                results[host.name]?.status = .rolledBack
                results[host.name]?.onNewVersion = false
                try? await settings.journal.setHostStatus(.rolledBack, host: host.name, in: context.rolloutID)
            } catch {
                results[host.name]?.error = DeployError(error)
            }
        }
    }

    /// Reads `current` on every host (in parallel): the release it runs, nil before the first (no `current` at
    /// all). A host where it cannot be read (unreachable, `readlink` failing on something that exists) is in
    /// `unreadable` with the reason, never taken for a first deployment.
    func currentVersions() async -> (versions: [String: String?], unreadable: [String: DeployError]) {
        let byName = Dictionary(settings.inventory.hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let hosts = plan.hosts.compactMap { byName[$0.name] }
        let roots = Dictionary(uniqueKeysWithValues: plan.hosts.map { ($0.name, $0.root) })
        let fleet = settings.fleet
        // As wide as the widest batch: reading `current` must not take longer than the rollout's own first step.
        let limit = max(50, plan.batches.map(\.concurrency).max() ?? 0)
        let pairs = await boundedFanOut(hosts, limit: limit) { host -> (String, Result<String?, DeployError>) in
            do {
                let shell = HostShell(host: host.name, connection: try await fleet.connection(to: host))
                return (host.name, .success(try await Self.readCurrent(on: shell, root: roots[host.name]!)))
            } catch {
                return (host.name, .failure(DeployError(error)))
            }
        }
        var versions: [String: String?] = [:]
        var unreadable: [String: DeployError] = [:]
        for (name, read) in pairs {
            switch read {
            case .success(let version): versions[name] = version
            case .failure(let error): unreadable[name] = error
            }
        }
        return (versions, unreadable)
    }

    /// The release `ROOT/current` points to; nil when there is no `current` (a first deployment). Throws when it
    /// cannot be read: the command fails to run, or `readlink` fails although something is there.
    static func readCurrent(on shell: HostShell, root: String) async throws -> String? {
        let command = ReleaseCommands(host: shell.host, root: root)
        let result = try await shell.run(command.readCurrent(), timeout: .seconds(30))
        if result.succeeded {
            let link = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            return link.split(separator: "/").last.map(String.init)
        }
        let exists = try await shell.probe(HostProbes.exists(command.current, on: shell.host))
        guard exists.exitStatus == 1 else {
            let stderr = result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            throw DeployError(
                .command,
                "cannot read \(command.current) on \(shell.host) (\(result.statusDescription)"
                    + (stderr.isEmpty ? "" : ": \(stderr.suffix(300))")
                    + "): it exists but is not a readable link to a release; fix it by hand, the host was not touched")
        }
        return nil
    }

    static func mostCommon(_ values: [String]) -> String? {
        Dictionary(grouping: values, by: { $0 }).max { $0.value.count < $1.value.count }?.key
    }

    var strategySummary: String {
        var parts: [String] = settings.simulation == nil ? [] : ["SIMULATED"]
        if plan.artifact == nil { parts.append("config only (reload)") }
        if let canary = plan.canary { parts.append("canary \(canary.hosts.count)") }
        switch plan.batching.mode {
        case .serial(let sizes): parts.append("serial \(sizes.map(\.text).joined(separator: ","))")
        case .window(let size): parts.append("window \(size.text)")
        }
        parts.append("max failures \(plan.failureBudget.maxFailures)")
        parts.append("rollback \(plan.rollback.rawValue)")
        return parts.joined(separator: ", ")
    }
}
