import RolloutConfig
import RolloutCore
import RolloutGateway

/// One host's line of `rollout gateway status`.
public struct GatewayHostStatus: Sendable {
    public var host: String
    /// The host as the gateway names it (server name, real server, `server` address); nil if it did not render.
    public var server: String?
    /// What the gateway reported; nil when it could not be read.
    public var status: GatewayServerStatus?
    /// Why it could not be read.
    public var outcome: HostOutcome
}

/// Reads every host's state and connections from the playbook's gateway.
public enum GatewayStatusCollector {
    /// The runner for `spec.on`: the controller itself, or an inventory host over SSH.
    public static func runner(for spec: GatewaySpec, inventory: Inventory, fleet: FleetConnections) throws
        -> any GatewayCommandRunner
    {
        if spec.on == PlannedCommand.controller { return LocalGatewayRunner() }
        guard let host = inventory.host(named: spec.on) else {
            throw GatewayError(
                .invalidSettings,
                "the gateway runs `on: \(spec.on)`, which is neither `controller` nor a host of \(inventory.file)")
        }
        return SSHGatewayRunner(host: host, fleet: fleet)
    }

    /// The status of each of `hosts`, in their order, reading at most `limit` at once. Templates are rendered in
    /// each host's variables (`version` is empty: the status does not depend on a release).
    public static func collect(
        playbook: Playbook, spec: GatewaySpec, inventory: Inventory, hosts: [InventoryHost],
        runner: any GatewayCommandRunner, limit: Int
    ) async throws -> [GatewayHostStatus] {
        var scopes: [String: VariableScope] = [:]
        for host in hosts {
            scopes[host.name] = playbook.variables(for: host, in: inventory, extraVars: [:], version: "")
        }
        let render = GatewayFactory.renderer(scopes: scopes)
        let gateway = try GatewayFactory.make(spec: spec, runner: runner, render: render)
        return await boundedFanOut(hosts, limit: limit) { host in
            var line = GatewayHostStatus(host: host.name, server: nil, status: nil, outcome: .ok)
            do {
                let target = try GatewayFactory.target(spec: spec, host: host.name, render: render)
                line.server = target.server
                line.status = try await gateway.status(target)
            } catch let error as GatewayError {
                line.outcome = .failed(code: error.code.rawValue, message: error.message)
            } catch {
                line.outcome = HostOutcome(error: error)
            }
            return line
        }
    }
}
