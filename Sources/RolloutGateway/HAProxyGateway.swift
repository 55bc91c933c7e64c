import RolloutConfig
import RolloutCore

/// The HAProxy driver: the runtime API on the admin socket (`stats socket PATH level admin`).
///
/// `drain` sends `set server BACKEND/SERVER state drain`, `restore` sends `state ready`; both then read the
/// server back with `show servers state BACKEND` (the admin and operational state, columns found by the header's
/// names) and `show stat` (`scur`, the current sessions) and throw unless HAProxy confirms the change.
/// `status` reads the same two answers; because an HAProxy reload silently returns every server to its
/// configured state, the status is always read from the running HAProxy and never remembered.
public struct HAProxyGateway: TrafficGateway {
    public let kind = "haproxy"
    public var socket: Template?
    public var address: Template?
    public var backend: Template
    public var transport: HAProxyTransport
    public var render: GatewayTemplateRenderer
    /// Limit for one runtime API exchange.
    public var timeout: Duration

    /// `socket` (a Unix socket path) or `address` (`host:port` of a TCP admin socket): exactly one is used,
    /// `socket` first.
    public init(
        socket: Template?, address: Template?, backend: Template, transport: HAProxyTransport,
        render: @escaping GatewayTemplateRenderer, timeout: Duration = .seconds(10)
    ) {
        self.socket = socket
        self.address = address
        self.backend = backend
        self.transport = transport
        self.render = render
        self.timeout = timeout
    }

    public func drain(_ target: GatewayTarget) async throws -> GatewayServerStatus {
        try await set(target, "drain", expect: .draining)
    }

    /// Puts the server back with `state ready`, which clears both a drain and a maintenance set at runtime.
    public func restore(_ target: GatewayTarget) async throws -> GatewayServerStatus {
        try await set(target, "ready", expect: .inRotation)
    }

    /// Sends `set server BACKEND/SERVER state maint`: no new connections and HAProxy stops health-checking it.
    public func maintenance(_ target: GatewayTarget) async throws -> GatewayServerStatus {
        try await set(target, "maint", expect: .out)
    }

    public func status(_ target: GatewayTarget) async throws -> GatewayServerStatus {
        let api = try connection(for: target)
        let backend = try GatewayFactory.checked(render(backend, target.host), .haproxy, self.backend)
        let server = try GatewayFactory.checked(target.server, .haproxy, "the server name of \(target.host)")
        let command = HAProxyRuntime.showServersState(backend: backend)
        let answer = try await api.send(command)
        guard let row = try HAProxyServerState.parse(answer, backend: backend, server: server) else {
            throw HAProxyAnswer.error("No such server.", command: command, backend: backend, server: server)
        }
        let stats = try HAProxyStats(try await api.send(HAProxyRuntime.showStat), backend: backend, server: server)
        let values = stats.row(backend: backend, server: server)
        let sessions = values?["scur"].flatMap { Int($0) }
        var detail = row.detail
        if let status = values?["status"], !status.isEmpty { detail += " status=\(status)" }
        return GatewayServerStatus(host: target.host, state: row.state, connections: sessions, detail: detail)
    }

    private func set(_ target: GatewayTarget, _ state: String, expect: GatewayServerState) async throws
        -> GatewayServerStatus
    {
        let api = try connection(for: target)
        let backend = try GatewayFactory.checked(render(backend, target.host), .haproxy, self.backend)
        let server = try GatewayFactory.checked(target.server, .haproxy, "the server name of \(target.host)")
        let command = HAProxyRuntime.setState(backend: backend, server: server, state: state)
        let answer = try await api.send(command)
        // Success is an empty answer; anything else is HAProxy's error message.
        guard answer.allSatisfy(\.isWhitespace) else {
            throw HAProxyAnswer.error(answer, command: command, backend: backend, server: target.server)
        }
        let after = try await status(target)
        guard after.state == expect else {
            throw GatewayError(
                .notConfirmed,
                "HAProxy accepted `\(command)` but \(backend)/\(target.server) is now \(after.state.rawValue) "
                    + "(\(after.detail ?? "")); a state from the configuration (`disabled`, `weight 0`) or a "
                    + "tracked server overrides it — check the HAProxy configuration")
        }
        return after
    }

    private func connection(for target: GatewayTarget) throws -> HAProxySocket {
        guard let template = socket ?? address else {
            throw GatewayError(.invalidSettings, "the HAProxy gateway needs `socket` or `address`")
        }
        return HAProxySocket(endpoint: try render(template, target.host), transport: transport, timeout: timeout)
    }
}
