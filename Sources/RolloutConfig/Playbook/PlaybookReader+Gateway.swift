extension PlaybookReader {
    static let gatewayCommonKeys = ["type", "on", "drain_deadline", "poll_interval", "on_drain_timeout"]
    static let gatewayKeys: [GatewaySpec.Kind: [String]] = [
        .haproxy: ["socket", "address", "backend", "server"],
        .lvs: ["virtual_service", "real_server", "weight"],
        .nginx: ["upstream_file", "server", "reload", "status"],
        .command: ["drain", "restore", "status"],
    ]

    /// `gateway:` with a `type` (`haproxy`, `lvs`, `nginx`, `command`) and that type's keys.
    func readGateway(_ top: MappingReader) -> GatewaySpec? {
        guard let entry = top.entry("gateway"),
            let kind = readKind(entry.value, path: "gateway", GatewaySpec.Kind.self),
            let m = MappingReader(
                entry.value, path: "gateway", allowed: Self.gatewayCommonKeys + Self.gatewayKeys[kind]!,
                diagnostics: diagnostics)
        else { return nil }
        let settings: GatewaySpec.Settings?
        switch kind {
        case .haproxy:
            if m.has("socket") == m.has("address") {
                m.problem("socket", .value("give exactly one of `socket` (admin socket path) or `address` (host:port)"))
            }
            let backend = m.template("backend", required: "the HAProxy backend name")
            let server =
                m.template("server") ?? Template(literal: "", origin: m.origin("server")).withText("{{ host.name }}")
            checkName(backend, "backend", .haproxy, m)
            checkName(server, "server", .haproxy, m)
            settings = backend.map {
                .haproxy(socket: m.template("socket"), address: m.template("address"), backend: $0, server: server)
            }
        case .lvs:
            let service = m.template("virtual_service", required: "the virtual service, e.g. `tcp:10.0.0.1:80`")
            if let service, !service.text.hasPrefix("tcp:"), !service.text.hasPrefix("udp:") {
                m.problem(
                    "virtual_service", .value("must start with `tcp:` or `udp:`"), suggestion: "tcp:" + service.text)
            }
            let real = m.template("real_server", required: "the real server, e.g. `{{ host.address }}:8080`")
            if let service, service.text.hasPrefix("tcp:") || service.text.hasPrefix("udp:") {
                checkName(service, "virtual_service", .lvsAddress, m, after: ":")
            }
            checkName(real, "real_server", .lvsAddress, m)
            let weight = m.int("weight", in: 1...65535) ?? 1
            settings = service.flatMap { s in real.map { .lvs(virtualService: s, realServer: $0, weight: weight) } }
        case .nginx:
            let file = m.template("upstream_file", required: "the nginx file holding the upstream's `server` lines")
            let server = m.template(
                "server", required: "the host's `server` address in that file, e.g. `{{ host.address }}:8080`")
            checkName(server, "server", .nginxServer, m)
            let reload =
                m.template("reload", context: .shell)
                ?? Template(literal: "nginx -s reload", origin: m.origin("reload"), context: .shell)
            settings = file.flatMap { f in
                server.map {
                    .nginx(upstreamFile: f, server: $0, reload: reload, status: m.template("status", context: .shell))
                }
            }
        case .command:
            let drain = m.template("drain", required: "the command that takes the host out of traffic", context: .shell)
            let restore = m.template("restore", required: "the command that puts the host back", context: .shell)
            settings = drain.flatMap { d in
                restore.map { .command(drain: d, restore: $0, status: m.template("status", context: .shell)) }
            }
        }
        let on = m.string("on") ?? "controller"
        let deadline = m.duration("drain_deadline") ?? .seconds(60)
        let poll = m.duration("poll_interval") ?? .seconds(1)
        let onTimeout = m.choice("on_drain_timeout", DrainTimeoutAction.self) ?? .fail
        return settings.map {
            GatewaySpec(settings: $0, on: on, drainDeadline: deadline, pollInterval: poll, onDrainTimeout: onTimeout)
        }
    }

    /// Reports a literal name `kind` cannot use (the part after the first `after`, when given); a name with
    /// variables is checked for every host by `rollout check` once rendered.
    private func checkName(
        _ template: Template?, _ key: String, _ kind: GatewayName, _ m: MappingReader, after: Character? = nil
    ) {
        guard let template, template.references.isEmpty, m.has(key) else { return }
        var name = Substring(template.text)
        if let after, let index = name.firstIndex(of: after) { name = name[name.index(after: index)...] }
        if let problem = kind.problem(String(name)) {
            m.problem(key, .value(problem, found: template.text, allowed: kind.rule))
        }
    }
}
