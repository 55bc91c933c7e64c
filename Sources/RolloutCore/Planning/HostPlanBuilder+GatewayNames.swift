import RolloutConfig

extension HostPlanBuilder {
    /// Reports every gateway name or address that renders, for this host, to what the gateway cannot take (an
    /// HAProxy server name with `;` or a space, an nginx server address with a newline, an LVS address starting
    /// with `-`): `rollout check` fails with the place it was written, and nothing is sent to the gateway.
    func checkGatewayNames(_ spec: GatewaySpec) {
        var names: [(Template, GatewayName)] = []
        switch spec.settings {
        case .haproxy(_, _, let backend, let server): names = [(backend, .haproxy), (server, .haproxy)]
        case .lvs(let service, let real, _): names = [(service, .lvsAddress), (real, .lvsAddress)]
        case .nginx(_, let server, _, _): names = [(server, .nginxServer)]
        case .command: return
        }
        // A literal is checked by the playbook reader; a template with an undefined variable is reported as such.
        for (template, kind) in names where !template.references.isEmpty {
            guard case .success(var value) = template.render(in: scope) else { continue }
            if case .lvs(let service, _, _) = spec.settings, template == service {
                // `tcp:VIP:PORT`: the protocol is checked by the reader, the address goes to `ipvsadm`.
                value = String(value.drop { $0 != ":" }.dropFirst())
            }
            guard let problem = kind.problem(value) else { continue }
            context.renderer.reportOnce(
                template.origin.error(
                    .invalidValue, "for host \(host.name): \(problem)", found: value, allowed: kind.rule))
        }
    }
}
