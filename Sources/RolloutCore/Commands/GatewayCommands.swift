import RolloutConfig
import RolloutText

/// What a host's traffic gateway driver does to drain it, read it and restore it, call by call, for the plan.
///
/// Built from the same builders as the drivers (`HAProxyRuntime`, `IPVSCommands`, `NginxCommands`,
/// `ShellQuote.shell`) and in the drivers' order; a test runs each driver against a recording runner and compares.
public struct GatewayCommands: Sendable, Equatable {
    public var kind: String
    /// `controller` or the inventory host the gateway's commands run on.
    public var on: String
    /// Takes the server out of rotation (existing connections go on), then reads it back.
    public var drain: [GatewayCall]
    /// Puts the server back into rotation, then reads it back.
    public var restore: [GatewayCall]
    /// Reads the state and the connection count; empty when the gateway cannot be read (the drain then waits the
    /// whole deadline).
    public var status: [GatewayCall]
    /// Where the connection count comes from; nil when the gateway does not count.
    public var count: ConnectionCount?

    /// The step `operation` of a host.
    public func step(_ operation: GatewayStep.Operation) -> GatewayStep {
        let calls: [GatewayCall]
        switch operation {
        case .drain: calls = drain
        case .restore: calls = restore
        case .recheckDrained, .recheckRestored: calls = status
        }
        return GatewayStep(operation: operation, kind: kind, on: on, calls: calls)
    }

    /// The calls for `spec`, with every template rendered by `render` for one host.
    public static func make(_ spec: GatewaySpec, render: (Template) -> String) -> GatewayCommands {
        switch spec.settings {
        case .haproxy(let socket, let address, let backend, let server):
            return .haproxy(
                on: spec.on, endpoint: (socket ?? address).map(render) ?? "", backend: render(backend),
                server: render(server))
        case .lvs(let service, let real, let weight):
            return .lvs(on: spec.on, virtualService: render(service), realServer: render(real), weight: weight)
        case .nginx(let file, let server, let reload, let status):
            return .nginx(
                on: spec.on, upstreamFile: render(file), server: render(server), reload: render(reload),
                status: status.map(render))
        case .command(let drain, let restore, let status):
            return .command(on: spec.on, drain: render(drain), restore: render(restore), status: status.map(render))
        }
    }

    /// HAProxy's runtime API: sent by rollout to the admin socket when the gateway is the controller, else through
    /// the `HAProxyRuntime.relay` command on the gateway host.
    public static func haproxy(on: String, endpoint: String, backend: String, server: String) -> GatewayCommands {
        func call(_ request: String, _ purpose: String) -> GatewayCall {
            if on == PlannedCommand.controller {
                return .socket(endpoint: endpoint, request: request, purpose: purpose)
            }
            return .relay(on: on, endpoint: endpoint, request: request, purpose: purpose)
        }
        let name = "\(backend)/\(server)"
        let status = [
            call(HAProxyRuntime.showServersState(backend: backend), "state of \(name): srv_admin_state, srv_op_state"),
            call(HAProxyRuntime.showStat, "connections of \(name): scur"),
        ]
        func change(_ state: String, _ expect: String) -> [GatewayCall] {
            [call(HAProxyRuntime.setState(backend: backend, server: server, state: state), "must answer nothing")]
                + status.map { readBack($0, expect) }
        }
        return GatewayCommands(
            kind: "haproxy", on: on, drain: change("drain", "draining"), restore: change("ready", "in rotation"),
            status: status, count: .haproxyStat(backend: backend, server: server))
    }

    /// LVS through `ipvsadm`: the weight is read first and remembered, weight 0 drains, the remembered weight (or
    /// `weight` when this controller did not see the drain) restores; `ActiveConn` is the count.
    public static func lvs(on: String, virtualService: String, realServer: String, weight: Int) -> GatewayCommands {
        guard let ipvs = IPVSCommands(virtualService: virtualService) else {
            // The playbook reader rejects such a service; keep the plan printable anyway.
            return GatewayCommands(kind: "lvs", on: on, drain: [], restore: [], status: [], count: nil)
        }
        let list = GatewayCall.run(
            PlannedCommand(on: on, argv: ipvs.list()), purpose: "weight and ActiveConn of \(realServer)")
        func edit(_ w: Int, _ purpose: String) -> GatewayCall {
            .run(PlannedCommand(on: on, argv: ipvs.edit(realServer: realServer, weight: w)), purpose: purpose)
        }
        return GatewayCommands(
            kind: "lvs", on: on,
            drain: [
                .run(PlannedCommand(on: on, argv: ipvs.list()), purpose: "the weight to restore later"),
                edit(0, "quiesce"), readBack(list, "weight 0"),
            ],
            restore: [
                edit(weight, "the weight read before the drain; \(weight) when this controller did not see it"),
                readBack(list, "that weight"),
            ],
            status: [list], count: .ipvsadm(realServer: realServer))
    }

    /// nginx: the host's `server ADDRESS ...;` line gets (or loses) `down` in the upstream file, which is written
    /// back beside itself and renamed, then `nginx -t` and the reload run (the previous file is put back if either
    /// fails). The state is read from the file; connections from `status` when given.
    public static func nginx(on: String, upstreamFile: String, server: String, reload: String, status: String?)
        -> GatewayCommands
    {
        let read = GatewayCall.run(
            PlannedCommand(on: on, argv: NginxCommands.read(upstreamFile)),
            purpose: "state: `down` on `server \(server)`")
        let count = status.map {
            GatewayCall.run(PlannedCommand.shell($0, on: on), purpose: "connections (a count, or state= connections=)")
        }
        let statusCalls = [read] + (count.map { [$0] } ?? [])
        func change(_ edit: String, _ expect: String) -> [GatewayCall] {
            [
                read, .edit(edit),
                .run(
                    PlannedCommand(on: on, argv: NginxCommands.write(upstreamFile)),
                    purpose: "the edited file on stdin; skipped when it did not change"),
                .run(
                    .shell(NginxCommands.configTest(reload: reload), on: on),
                    purpose: "the file is put back if it fails"),
                .run(.shell(reload, on: on), purpose: "the file is put back if it fails"),
            ] + statusCalls.map { readBack($0, expect) }
        }
        return GatewayCommands(
            kind: "nginx", on: on,
            drain: change("add ` down` to every `server \(server) ...;` line", "down"),
            restore: change("remove `down` from every `server \(server) ...;` line", "not down"),
            status: statusCalls, count: status == nil ? nil : .number)
    }

    /// Commands of your own, each run by `sh -c`; `status` follows the documented output contract.
    public static func command(on: String, drain: String, restore: String, status: String?) -> GatewayCommands {
        let read = status.map {
            GatewayCall.run(PlannedCommand.shell($0, on: on), purpose: "a count, or state= connections=")
        }
        let statusCalls = read.map { [$0] } ?? []
        return GatewayCommands(
            kind: "command", on: on,
            drain: [.run(.shell(drain, on: on), purpose: "must exit 0")] + statusCalls.map { readBack($0, "draining") },
            restore: [.run(.shell(restore, on: on), purpose: "must exit 0")]
                + statusCalls.map { readBack($0, "in rotation") },
            status: statusCalls, count: status == nil ? nil : .number)
    }

    /// `call` as a read-back after a change that must show `expect`.
    private static func readBack(_ call: GatewayCall, _ expect: String) -> GatewayCall {
        switch call {
        case .run(let command, let purpose): return .run(command, purpose: "read back, must show \(expect): \(purpose)")
        case .socket(let endpoint, let request, let purpose):
            return .socket(endpoint: endpoint, request: request, purpose: "read back, must show \(expect): \(purpose)")
        case .relay(let on, let endpoint, let request, let purpose):
            return .relay(
                on: on, endpoint: endpoint, request: request, purpose: "read back, must show \(expect): \(purpose)")
        case .edit: return call
        }
    }
}
