import RolloutConfig
import RolloutCore
import RolloutGateway
import RolloutStore

extension HostDeployer {
    /// Switches the host back to `release`, restarts it there unless the agent still serves it (a failed
    /// restart leaves the old generation serving), and verifies it with the version check aimed at `release`.
    /// A `reload` host gets its previous configuration files back instead (`revertConfig`).
    ///
    /// A `drain` host the gateway shows in rotation (a revert after its undrain: a later failure, the bake,
    /// `rollback: all`) is never restarted there: it is drained first and the connections are waited for (the
    /// plan's own `drain` step), reverted, and restored (its `undrain` step), each journaled. The restore is
    /// attempted whatever happened before it; when it fails the error says LEFT DRAINED. A host the gateway
    /// already shows out of rotation (the pipeline drained it) is only reverted: its pipeline restores it. The
    /// phases' hooks do not run for a revert (a failing `after_undrain` hook would report a restored host as left
    /// drained).
    func revert(to release: String, shell: HostShell, agent: AgentControl) async throws {
        if plan.strategy == .reload { return try await revertConfig(shell: shell, agent: agent) }
        guard let drain = gatewayPart(of: .drain), let restore = gatewayPart(of: .undrain), try await isInRotation()
        else {
            return try await switchBack(to: release, shell: shell, agent: agent)
        }
        var failure: DeployError?
        do {
            try await context.phase("drain", host: plan.name, detail: .object(["for": .string("rollback")])) {
                try await perform(drain, shell: shell, agent: agent)
            }
            try await switchBack(to: release, shell: shell, agent: agent, recheckDrain: true)
        } catch {
            failure = DeployError(error)
        }
        do {
            try await context.phase("undrain", host: plan.name) { try await perform(restore, shell: shell, agent: agent) }
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
    private func gatewayPart(of phase: PlanStep.Phase) -> PlanStep? {
        guard var step = plan.steps.first(where: { $0.phase == phase }) else { return nil }
        step.actions.removeAll { if case .run(_, hook: .some) = $0 { true } else { false } }
        return step
    }

    /// What the gateway says of a `drain` host before a revert: in rotation, or a state it cannot tell apart
    /// (`unknown`: draining again costs a wait, restarting in rotation refuses requests).
    private func isInRotation() async throws -> Bool {
        let binding = try boundGateway()
        do {
            let status = try await binding.gateway.status(try binding.target(plan.name))
            return !status.isOutOfRotation
        } catch {
            throw DeployError(
                .gateway,
                "not reverted: cannot read \(plan.name)'s state in the gateway, and a host in rotation must be "
                    + "drained before its restart: \(DeployError(error).message)")
        }
    }

    /// The `rollback` phase: switch `current` back, restart (after re-checking the drain when `recheckDrain`, as
    /// the pipeline's restart step does), verify.
    private func switchBack(to release: String, shell: HostShell, agent: AgentControl, recheckDrain: Bool = false)
        async throws
    {
        try await context.phase("rollback", host: plan.name, detail: .object(["to": .string(release)])) {
            let commands = ReleaseCommands(host: plan.name, root: plan.root)
            for command in commands.switchTo(release) { try await shell.run(command) }
            var detail: [String: JournalJSON] = ["to": .string(release)]
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
            try await revert(to: release, shell: shell, agent: agentControl(shell))
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
