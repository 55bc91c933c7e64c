import RolloutConfig
import RolloutCore

/// Renders a playbook template for one inventory host (the engine passes the host's `VariableScope`).
/// Throws when a variable is undefined; `rollout check` reports those before anything runs.
public typealias GatewayTemplateRenderer = @Sendable (_ template: Template, _ host: String) throws -> String

/// Builds the driver a playbook's `gateway:` asks for.
public enum GatewayFactory {
    /// The driver for `spec`, running its commands through `runner`.
    ///
    /// `runner` runs where the gateway lives (`spec.on`): the engine passes a local runner for `controller` and
    /// an SSH runner for an inventory host. For HAProxy on the controller the driver talks to the admin socket
    /// directly and uses `runner` only when the socket is on another host.
    public static func make(
        spec: GatewaySpec, runner: any GatewayCommandRunner, render: @escaping GatewayTemplateRenderer
    ) throws -> any TrafficGateway {
        switch spec.settings {
        case .haproxy(let socket, let address, let backend, _):
            let transport: HAProxyTransport = spec.on == PlannedCommand.controller ? .direct : .runner(runner)
            return HAProxyGateway(
                socket: socket, address: address, backend: backend, transport: transport, render: render)
        case .lvs(let service, _, let weight):
            return LVSGateway(virtualService: service, configuredWeight: weight, runner: runner, render: render)
        case .nginx(let file, _, let reload, let status):
            return NginxGateway(upstreamFile: file, reload: reload, status: status, runner: runner, render: render)
        case .command(let drain, let restore, let status):
            return CommandGateway(drain: drain, restore: restore, status: status, runner: runner, render: render)
        }
    }

    /// `host` as `spec`'s gateway names it: the HAProxy server name, the LVS real server `ADDRESS:PORT`, the
    /// nginx `server` address; the host name itself for the `command` driver.
    public static func target(spec: GatewaySpec, host: String, render: GatewayTemplateRenderer) throws
        -> GatewayTarget
    {
        let server: String
        switch spec.settings {
        case .haproxy(_, _, _, let template): server = try render(template, host)
        case .lvs(_, let template, _): server = try render(template, host)
        case .nginx(_, let template, _, _): server = try render(template, host)
        case .command: server = host
        }
        return GatewayTarget(host: host, server: server)
    }

    /// A renderer over per-host variable scopes (from `Playbook.variables(for:in:extraVars:version:)`); an
    /// unknown host or an undefined variable is a `GatewayError` naming the template and where it was written.
    public static func renderer(scopes: [String: VariableScope]) -> GatewayTemplateRenderer {
        { template, host in
            guard let scope = scopes[host] else {
                throw GatewayError(.invalidSettings, "no variables for host \(host) to render `\(template.text)`")
            }
            switch template.render(in: scope) {
            case .success(let text): return text
            case .failure(let undefined):
                let names = undefined.names.map { "`\($0.name)`" }.joined(separator: ", ")
                throw GatewayError(
                    .invalidSettings,
                    "`\(template.text)` (\(template.origin)) uses undefined \(names) for host \(host); "
                        + "run `rollout check`")
            }
        }
    }
}
