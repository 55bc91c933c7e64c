import RolloutCore
import RolloutModel
import RolloutStore

extension HostDeployer {
    /// `rollout resume` of a host whose journal shows a failed step that the dead controller was still handling
    /// (its rollback, or its undrain after the failure): the host is not deployed again; the failure stands (it
    /// counts against the budget) and what was left of its handling is done: the rollback unless one passed after
    /// the failure, then the undrain of a host the journal shows drained.
    func finishJournaledFailure(_ host: HostDetail, failure: PhaseEntry) async -> HostRunResult {
        let journaled = DeployError(.command, "\(failure.name) failed: \(failure.error ?? "no error journaled")")
        let result: HostRunResult
        do {
            guard let inventoryHost = context.inventoryHosts[plan.name] else {
                throw DeployError(.local, "\(plan.name) is not in the inventory")
            }
            let shell = HostShell(host: plan.name, connection: try await context.fleet.connection(to: inventoryHost))
            result = await recover(
                from: journaled, switched: host.switchedInJournal || failure.phase == .bake,
                drained: host.drainedInJournal,
                rolledBack: host.rolledBackInJournal(after: failure), shell: shell, agent: agentControl(shell))
        } catch {
            var failed = journaled
            failed.message += "; resuming its rollback failed: \(DeployError(error).message)"
            if host.drainedInJournal { failed.message += "; LEFT DRAINED" }
            result = HostRunResult(
                host: plan.name, status: .failed, error: failed, onNewVersion: host.switchedInJournal)
        }
        try? await context.journal.setHostStatus(
            result.status, host: plan.name, in: context.rolloutID, error: result.error?.description)
        context.observer.event(
            .hostFinished(host: plan.name, status: result.status, error: result.error?.description, milliseconds: 0))
        return result
    }
}
