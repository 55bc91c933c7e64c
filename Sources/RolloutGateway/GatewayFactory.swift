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
        case .haproxy(_, _, _, let template): server = try checked(render(template, host), .haproxy, template)
        case .lvs(_, let template, _): server = try checked(render(template, host), .lvsAddress, template)
        case .nginx(_, let template, _, _): server = try checked(render(template, host), .nginxServer, template)
        case .command: server = host
        }
        return GatewayTarget(host: host, server: server)
    }

    /// `name`, unless `kind` cannot take it (`rollout check` reports it first; this guards callers that did not
    /// check, so nothing malformed reaches a gateway).
    static func checked(_ name: String, _ kind: GatewayName, _ template: Template) throws -> String {
        try checked(name, kind, "`\(template.text)` (\(template.origin))")
    }

    static func checked(_ name: String, _ kind: GatewayName, _ place: String) throws -> String {
        guard let problem = kind.problem(name) else { return name }
        throw GatewayError(.invalidSettings, "\(place): \(problem); run `rollout check`")
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
                let problems = undefined.names.map(\.problem).joined(separator: "; ")
                throw GatewayError(
                    .invalidSettings,
                    "`\(template.text)` (\(template.origin)): \(problems) for host \(host); run `rollout check`")
            }
        }
    }
}
