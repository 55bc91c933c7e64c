import Foundation
import RolloutConfig
import RolloutCore
import RolloutGateway
import RolloutJSON
import RolloutModel
import RolloutStore

/// How one host's part of a rollout ended.
public struct HostRunResult: Sendable {
    public var host: String
    public var status: HostStatus
    public var error: DeployError?
    /// The host ends this step on the new version (counted for `rollback: all`).
    public var onNewVersion: Bool
}

/// Carries out one host's planned steps in order, each journaled before it starts, and on failure puts the host
/// back (per the rollback policy) and always restores a drained host or says it could not.
public struct HostDeployer: Sendable {
    public let context: DeployContext
    public let plan: HostPlan
    /// The release the host ran before this rollout (nil for a first deployment).
    public let fromVersion: String?

    public init(context: DeployContext, plan: HostPlan, fromVersion: String?) {
        self.context = context
        self.plan = plan
        self.fromVersion = fromVersion
    }

    var version: String { context.plan.version.version }

    public func run() async -> HostRunResult {
        let start = ContinuousClock.now
        let result = await deploy()
        try? await context.journal.setHostStatus(
            result.status, host: plan.name, in: context.rolloutID, error: result.error?.description)
        context.observer.event(
            .hostFinished(
                host: plan.name, status: result.status, error: result.error?.description,
                milliseconds: (ContinuousClock.now - start).milliseconds))
        return result
    }

    private func deploy() async -> HostRunResult {
        let shell: HostShell
        do {
            guard let host = context.inventoryHosts[plan.name] else {
                throw DeployError(.local, "\(plan.name) is not in the inventory")
            }
            shell = HostShell(host: plan.name, connection: try await context.fleet.connection(to: host))
        } catch {
            return HostRunResult(host: plan.name, status: .failed, error: DeployError(error), onNewVersion: false)
        }
        let agent = agentControl(shell)
        if plan.strategy == .reload { return await deployConfig(shell: shell, agent: agent) }
        // Re-deploying what the host already serves changes nothing on it, except putting it back in rotation.
        if fromVersion == version, let serving = try? await agent.servingVersion(), serving == version {
            return await unchanged(shell: shell, agent: agent)
        }
        var drained = false
        var switched = false
        do {
            for step in plan.steps {
                if context.stop.current == .immediate {
                    throw DeployError(.interrupted, "stopped by a second interrupt before \(step.phase.rawValue)")
                }
                if step.phase == .drain { drained = true }
                if step.phase == .switch { switched = true }
                // A second interrupt cuts the step in flight; restoring the gateway (below) is never cut.
                try await context.phase(step.phase, host: plan.name) {
                    try await context.stop.cutOnImmediate { [self] in
                        try await perform(step, shell: shell, agent: agent)
                    }
                }
                if step.phase == .undrain { drained = false }
            }
            return HostRunResult(host: plan.name, status: .succeeded, error: nil, onNewVersion: true)
        } catch {
            return await recover(
                from: DeployError(error), switched: switched, drained: drained, shell: shell, agent: agent)
        }
    }

    /// A host already serving the target version: nothing is deployed, but a `drain` host is read back from the
    /// gateway and restored when it is not in rotation (a controller killed between its verify and its undrain left
    /// it serving the new version out of rotation). Journaled as `check` (with the gateway's answer), then
    /// `undrain` when it was put back; a gateway that cannot be read or restored fails the host, naming it.
    private func unchanged(shell: HostShell, agent: AgentControl) async -> HostRunResult {
        do {
            var status: GatewayServerStatus?
            try await context.phase(.check, host: plan.name) {
                var detail: [String: JSONValue] = ["unchanged": .bool(true), "version": .string(version)]
                if restoreStep != nil {
                    let binding = try boundGateway()
                    let read = try await binding.gateway.status(try binding.target(plan.name))
                    detail["gateway"] = try JSONValue(encoding: read)
                    status = read
                }
                return .object(detail)
            }
            if let restore = restoreStep, let status, !status.state.isInRotation {
                let found = status.state.rawValue
                context.observer.event(
                    .note("\(plan.name) already serves \(version) but is \(found) in the gateway: restoring it"))
                try await context.phase(
                    .undrain, host: plan.name, detail: .object(["found": .string(found)])
                ) {
                    try await perform(restore, shell: shell, agent: agent)
                }
            }
            return HostRunResult(host: plan.name, status: .unchanged, error: nil, onNewVersion: true)
        } catch {
            var failure = DeployError(error)
            failure.message =
                "\(plan.name) already serves \(version), but its place in the gateway could not be checked or restored "
                + "(it may be LEFT DRAINED): \(failure.message)"
            return HostRunResult(host: plan.name, status: .failed, error: failure, onNewVersion: false)
        }
    }

    /// After a failed step (or, for `rollout resume`, a failure the journal shows a dead controller was handling):
    /// puts a switched host back per the rollback policy unless `rolledBack` says that was already done, then
    /// restores a drained host in the gateway; the result says what was done and what could not be.
    func recover(
        from failure: DeployError, switched: Bool, drained: Bool, rolledBack: Bool = false, shell: HostShell,
        agent: AgentControl
    ) async -> HostRunResult {
        var failure = failure
        // Stopped by the operator before anything changed: not a failure, and `rollout resume` runs it again.
        var status: HostStatus = failure.code == .interrupted && !switched ? .skipped : .failed
        var onNew = switched && !rolledBack
        if rolledBack { status = .rolledBack }
        // An agent refused our fencing token: a newer holder of the fleet's lock controls the hosts, so nothing is
        // reverted by this rollout (a rollback would switch and restart hosts under it); the gateway is still restored.
        if context.stop.isFencedOff() {
            onNew = false
            if context.stop.isFencedOff(plan.name) {
                failure.message =
                    "\(plan.name) was NOT restarted by this rollout: its agent refused our fencing token, a newer "
                    + "holder of the fleet's lock controls it; it keeps serving what it served"
                    + (switched ? ", and its `current` is left for that holder to set" : "") + " (\(failure.message))"
            } else if switched {
                failure.message += "; not reverted: a newer holder of the fleet's lock controls the hosts"
            }
        }
        if onNew, context.plan.rollback != .none {
            if plan.strategy == .reload || fromVersion != nil {
                do {
                    try await revert(to: fromVersion ?? "", shell: shell, agent: agent)
                    status = .rolledBack
                    onNew = false
                } catch {
                    failure.message +=
                        "; rollback to \(fromVersion ?? "the previous configuration") failed: "
                        + DeployError(error).message
                }
            } else {
                failure.message += "; no previous release to roll back to"
            }
        }
        if drained, let restore = restoreStep {
            do {
                try await context.phase(.undrain, host: plan.name) {
                    try await perform(restore, shell: shell, agent: agent)
                }
            } catch {
                failure.message += "; LEFT DRAINED: restoring it in the gateway failed: \(DeployError(error).message)"
            }
        }
        return HostRunResult(host: plan.name, status: status, error: failure, onNewVersion: onNew)
    }

    var restoreStep: PlanStep? { plan.steps.first { $0.phase == .undrain } }

    func agentControl(_ shell: HostShell) -> AgentControl {
        let control = plan.steps.first { $0.phase == .restart || $0.phase == .reload }
        let restart = control?.actions.compactMap { action -> PlannedCommand? in
            if case .run(let command, nil) = action { command } else { nil }
        }.first
        let argv = restart?.argv ?? []
        let socket = argv.firstIndex(of: "--socket").map { argv[$0 + 1] } ?? ""
        return AgentControl(
            shell: shell, agent: argv.first ?? "rollout-agent", socket: socket, restartMode: RestartMode(argv: argv),
            fence: context.fence)
    }

    var healthChecks: [PlannedHealthCheck] {
        plan.steps.filter { $0.phase == .verify }.flatMap(\.actions).compactMap {
            if case .health(let check) = $0 { check } else { nil }
        }
    }
}
