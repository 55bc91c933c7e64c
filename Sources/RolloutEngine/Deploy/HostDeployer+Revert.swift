import RolloutConfig
import RolloutCore
import RolloutGateway
import RolloutJSON
import RolloutModel
import RolloutStore

extension HostDeployer {
    /// Switches the host back to `release`, restarts it there unless the agent still serves it (a failed
    /// restart leaves the old generation serving), and verifies it with the version check aimed at `release`.
    /// A `reload` host gets its previous configuration files back instead (`revertConfig`).
    ///
    /// This is the pipeline's own rollback: its host is normally still drained, and its pipeline restores it. A
    /// `drain` host the gateway shows back in rotation (the failure came after its undrain) is drained first, as
    /// `revertInRotation` does; a state the gateway cannot give (`unknown`, unreadable) is left to the pipeline.
    func revert(to release: String, shell: HostShell, agent: AgentControl) async throws {
        try await revert(to: release, shell: shell, agent: agent, drainFirst: await gatewayShowsInRotation())
    }

    /// The revert of a host that finished its pipeline and is back in rotation (the bake check, `rollback: all`).
    /// A `drain` host is never restarted cold there: it is drained and its connections waited for (the gateway
    /// part of its `drain` step), reverted (switch back, re-check of the drain, cold restart, verify) and restored
    /// (the gateway part of its `undrain` step), each journaled. The restore is attempted whatever happened before
    /// it; when it fails the error says LEFT DRAINED. The phases' hooks do not run for a revert.
    func revertInRotation(to release: String, shell: HostShell, agent: AgentControl) async throws {
        try await revert(to: release, shell: shell, agent: agent, drainFirst: true)
    }

    private func revert(to release: String, shell: HostShell, agent: AgentControl, drainFirst: Bool) async throws {
        if plan.strategy == .reload { return try await revertConfig(shell: shell, agent: agent) }
        guard drainFirst, let drain = gatewayPart(of: .drain), let restore = gatewayPart(of: .undrain) else {
            return try await switchBack(to: release, shell: shell, agent: agent)
        }
        var failure: DeployError?
        do {
            try await context.phase(.drain, host: plan.name, detail: .object(["for": .string("rollback")])) {
                try await perform(drain, shell: shell, agent: agent)
            }
            try await switchBack(to: release, shell: shell, agent: agent, recheckDrain: true)
        } catch {
            failure = DeployError(error)
        }
        do {
            try await context.phase(.undrain, host: plan.name) {
                try await perform(restore, shell: shell, agent: agent)
            }
        } catch {
            var left = failure ?? DeployError(error)
            left.message =
                (failure.map { $0.message + "; " } ?? "")
                + "LEFT DRAINED: restoring it in the gateway failed: \(DeployError(error).message)"
            throw left
        }
        if let failure { throw failure }
    }

    /// The gateway actions of the plan's `phase` step (drain and its wait, or restore and its re-check), no hook.
    private func gatewayPart(of phase: Phase) -> PlanStep? {
        guard var step = plan.steps.first(where: { $0.phase == phase }) else { return nil }
        step.actions.removeAll { if case .run(_, hook: .some) = $0 { true } else { false } }
        return step
    }

    /// True only when the gateway positively shows the (`drain`) host in rotation.
    private func gatewayShowsInRotation() async -> Bool {
        guard plan.strategy == .drain, let binding = context.gateway, let target = try? binding.target(plan.name)
        else { return false }
        return (try? await binding.gateway.status(target))?.state == .inRotation
    }

    /// The `rollback` phase: switch `current` back, restart (after re-checking the drain when `recheckDrain`, as
    /// the pipeline's restart step does), verify.
    private func switchBack(to release: String, shell: HostShell, agent: AgentControl, recheckDrain: Bool = false)
        async throws
    {
        try await context.phase(.rollback, host: plan.name, detail: .object(["to": .string(release)])) {
            let commands = ReleaseCommands(host: plan.name, root: plan.root)
            for command in commands.switchTo(release) { try await shell.run(command) }
            var detail: [String: JSONValue] = ["to": .string(release)]
            if try await agent.servingVersion() != release {
                if recheckDrain {
                    for case .gateway(let step) in plan.steps.first(where: { $0.phase == .restart })?.actions ?? []
                    where step.operation == .recheckDrained {
                        detail.merge(try await perform(step)) { _, new in new }
                    }
                }
                let answer = try await agent.restart(timeout: context.plan.timeouts.restart)
                detail["restart"] = answer.json
                guard answer.outcome == "ok" else {
                    throw DeployError(.restart, "restart on \(release): \(answer.reason ?? answer.outcome)")
                }
            }
            let checks = healthChecks.map { check -> PlannedHealthCheck in
                var check = check
                if check.expectVersion != nil { check.expectVersion = release }
                return check
            }
            detail["health"] = try await HealthVerifier(shell: shell).verify(checks)
            return .object(detail)
        }
    }
}

extension HostDeployer {
    /// `revert` for a host that finished its pipeline (the bake check, `rollback: all`): on success `result` is
    /// `rolled_back` and off the new version; on failure the revert's error (LEFT DRAINED included) is added to it.
    func revert(to release: String, shell: HostShell, updating result: inout HostRunResult) async {
        do {
            try await revertInRotation(to: release, shell: shell, agent: agentControl(shell))
            result.status = .rolledBack
            result.onNewVersion = false
        } catch {
            let message = "rollback to \(release) failed: \(DeployError(error).message)"
            if result.error == nil {
                result.error = DeployError(error)
            } else {
                result.error?.message += "; " + message
            }
        }
    }
}
