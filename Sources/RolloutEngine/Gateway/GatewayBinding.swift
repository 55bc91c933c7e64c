import RolloutConfig
import RolloutCore
import RolloutGateway

/// The playbook's traffic gateway, ready for one rollout: the driver (`GatewayFactory`) running its commands where
/// the gateway lives (the controller, or an inventory host over the run's SSH connection), and each host's name in
/// the gateway.
public struct GatewayBinding: Sendable {
    public let gateway: any TrafficGateway
    private let targets: [String: GatewayTarget]

    /// The binding for `playbook.gateway`, nil when the playbook has none. Rendering problems (undefined variables)
    /// throw before any host is touched.
    public static func make(
        playbook: Playbook, inventory: Inventory, hosts: [String], extraVars: [String: ConfigValue], version: String,
        fleet: FleetConnections
    ) throws -> GatewayBinding? {
        guard let spec = playbook.gateway else { return nil }
        let runner: any GatewayCommandRunner
        if spec.on == PlannedCommand.controller {
            runner = LocalGatewayRunner()
        } else {
            guard let host = inventory.hosts.first(where: { $0.name == spec.on }) else {
                throw ConfigError(
                    .noMatch, file: playbook.file, key: "gateway.on",
                    message: "`\(spec.on)` is not a host of \(inventory.file)")
            }
            runner = SSHGatewayRunner(host: host, fleet: fleet)
        }
        let matches = OverrideMatches(playbook, inventory)
        var scopes: [String: VariableScope] = [:]
        for host in inventory.hosts where hosts.contains(host.name) {
            scopes[host.name] = playbook.variables(for: host, matches: matches, extraVars: extraVars, version: version)
        }
        let render = GatewayFactory.renderer(scopes: scopes)
        var targets: [String: GatewayTarget] = [:]
        for host in hosts { targets[host] = try GatewayFactory.target(spec: spec, host: host, render: render) }
        return GatewayBinding(
            gateway: try GatewayFactory.make(spec: spec, runner: runner, render: render), targets: targets)
    }

    /// How the gateway names `host`.
    public func target(_ host: String) throws -> GatewayTarget {
        guard let target = targets[host] else {
            throw DeployError(.gateway, "\(host) has no entry in the gateway binding of this rollout")
        }
        return target
    }
}
