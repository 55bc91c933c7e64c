import Foundation
import RolloutCore
import RolloutJSON
import RolloutModel
import RolloutStore

extension RolloutRunner {
    /// A new rollout `id` over the unfinished rollout `old` of the same inventory: says so (a note and the events
    /// `rollout.supersedes` / `rollout.superseded`), puts back in the gateway every host `old` left drained (journaled
    /// as an `undrain` on that host of `old`, so its journal shows it restored), and marks `old` `superseded`:
    /// `rollout resume` and `promote` can no longer pick it up and put the fleet back on its older plan.
    /// A host that cannot be put back is named in the note and the events as left drained.
    func supersede(_ old: RolloutDetail, by id: Int64) async throws {
        var restored: [String] = []
        var left: [String: String] = [:]
        for host in old.hosts where host.drainedInJournal {
            do {
                try await restoreLeftDrained(host.name, of: old.id, by: id)
                restored.append(host.name)
            } catch {
                left[host.name] = DeployError(error).description
            }
        }
        var message =
            "rollout \(id) supersedes unfinished rollout \(old.id) (\(old.summary.version), \(old.status.rawValue)); "
            + "it can no longer be resumed"
        if !restored.isEmpty {
            message += "; restored in the gateway what it left drained: \(restored.joined(separator: ", "))"
        }
        if !left.isEmpty {
            message +=
                "; LEFT DRAINED (could not be restored): "
                + left.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: "; ")
        }
        try await settings.journal.supersedeRollout(
            old.id, by: id, message: message,
            detail: [
                "restored": .array(restored.map(JSONValue.string)),
                "left_drained": .object(left.mapValues(JSONValue.string)),
            ])
        settings.observer.event(.note(message))
    }

    /// Runs this rollout's undrain step of `host` (the gateway restore and its re-check and hooks), journaled on the
    /// host of rollout `old` that left it drained.
    private func restoreLeftDrained(_ host: String, of old: Int64, by id: Int64) async throws {
        guard let hostPlan = plan.hosts.first(where: { $0.name == host }) else {
            throw DeployError(.gateway, "\(host) is not part of this rollout's plan, which has its gateway binding")
        }
        let deployer = HostDeployer(context: makeContext(id: old), plan: hostPlan, fromVersion: nil)
        guard let restore = deployer.restoreStep else {
            throw DeployError(
                .gateway,
                "this rollout's playbook has no gateway step for \(host) (strategy \(hostPlan.strategy.rawValue))")
        }
        guard let inventoryHost = deployer.context.inventoryHosts[host] else {
            throw DeployError(.local, "\(host) is not in the inventory")
        }
        let shell = HostShell(host: host, connection: try await settings.fleet.connection(to: inventoryHost))
        let by: [String: JSONValue] = ["superseded_by": .int(id)]
        try await deployer.context.phase(.undrain, host: host, detail: .object(by)) {
            let done = try await deployer.perform(restore, shell: shell, agent: deployer.agentControl(shell))
            guard case .object(let members)? = done else { return .object(by) }
            return .object(members.merging(by) { $1 })
        }
    }
}
