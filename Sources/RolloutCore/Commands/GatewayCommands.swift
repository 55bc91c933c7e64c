/// The commands that take one host out of a traffic gateway, report its active connections and put it back.
public struct GatewayCommands: Sendable, Equatable {
    /// Takes the server out of rotation; existing connections continue.
    public var drain: PlannedCommand
    /// Puts the server back into rotation.
    public var restore: PlannedCommand
    /// Reports active connections (how to read the output depends on `kind`); nil: none, wait the deadline.
    public var status: PlannedCommand?
    /// How to read the count from `status`'s output.
    public var count: ConnectionCount
    public var kind: String

    public init(
        kind: String, drain: PlannedCommand, restore: PlannedCommand, status: PlannedCommand?,
        count: ConnectionCount = .number
    ) {
        self.kind = kind
        self.drain = drain
        self.restore = restore
        self.status = status
        self.count = count
    }

    /// HAProxy runtime API through `socat`: `set server B/S state drain|ready`, `show stat` (the server row's
    /// `scur` column). `endpoint` is a Unix socket path or `host:port`.
    public static func haproxy(on: String, socket: String?, address: String?, backend: String, server: String)
        -> GatewayCommands
    {
        let target = socket.map { "UNIX-CONNECT:\($0)" } ?? "TCP:\(address ?? "")"
        func api(_ command: String) -> PlannedCommand {
            PlannedCommand(on: on, argv: ["socat", "stdio", target], stdin: command + "\n")
        }
        return GatewayCommands(
            kind: "haproxy", drain: api("set server \(backend)/\(server) state drain"),
            restore: api("set server \(backend)/\(server) state ready"), status: api("show stat"),
            count: .haproxyStat(backend: backend, server: server))
    }

    /// LVS through `ipvsadm`: weight 0 drains (established connections stay), the configured weight restores;
    /// the status lists the virtual service (the real server's `ActiveConn` column).
    public static func lvs(on: String, virtualService: String, realServer: String, weight: Int) -> GatewayCommands {
        let parts = virtualService.split(separator: ":", maxSplits: 1).map(String.init)
        let flag = parts.first == "udp" ? "-u" : "-t"
        let service = parts.count > 1 ? parts[1] : virtualService
        func edit(_ w: Int) -> PlannedCommand {
            PlannedCommand(on: on, argv: ["ipvsadm", "-e", flag, service, "-r", realServer, "-w", String(w)])
        }
        return GatewayCommands(
            kind: "lvs", drain: edit(0), restore: edit(weight),
            status: PlannedCommand(on: on, argv: ["ipvsadm", "-L", "-n", flag, service]),
            count: .ipvsadm(realServer: realServer))
    }

    /// nginx: marks the host's `server ADDRESS...;` line in the upstream file ` down` (or removes the mark),
    /// then runs the reload command. `status` is a user command printing the connection count, if any.
    public static func nginx(on: String, upstreamFile: String, server: String, reload: String, status: String?)
        -> GatewayCommands
    {
        let address = server.map { "^$.*+?()[]{}|\\/#".contains($0) ? "\\\($0)" : String($0) }.joined()
        let line = "^[[:space:]]*server[[:space:]]+\(address)([[:space:];]|$)"
        let mark = "/\(line)/{/[[:space:]]down[[:space:]]*;/!s/[[:space:]]*;/ down;/}"
        let unmark = "/\(line)/s/[[:space:]]+down[[:space:]]*;/;/"
        func edit(_ expression: String) -> PlannedCommand {
            let sed = ShellQuote.join(["sed", "-i", "-E", expression, upstreamFile])
            return PlannedCommand.shell("\(sed) && \(reload)", on: on)
        }
        return GatewayCommands(
            kind: "nginx", drain: edit(mark), restore: edit(unmark),
            status: status.map { PlannedCommand.shell($0, on: on) })
    }

    /// Commands of your own, each run by `sh -c`.
    public static func command(on: String, drain: String, restore: String, status: String?) -> GatewayCommands {
        GatewayCommands(
            kind: "command", drain: .shell(drain, on: on), restore: .shell(restore, on: on),
            status: status.map { PlannedCommand.shell($0, on: on) })
    }
}
