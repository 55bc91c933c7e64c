import RolloutText

/// One exchange a traffic gateway driver has with the gateway, as the plan shows it.
///
/// The drivers in `RolloutGateway` build their command lines and requests with the same builders
/// (`HAProxyRuntime`, `IPVSCommands`, `NginxCommands`, `ShellQuote.shell`), so the plan shows what really runs.
public enum GatewayCall: Sendable, Equatable {
    /// A command run where the gateway lives (`command.on`); `purpose` says what the driver reads or changes.
    case run(PlannedCommand, purpose: String)
    /// One HAProxy runtime API request that rollout itself sends to the admin socket (a path or `host:port`),
    /// with no command in between: the gateway is on the controller.
    case socket(endpoint: String, request: String, purpose: String)
    /// One HAProxy runtime API request sent through `HAProxyRuntime.relay(endpoint:)` on the gateway host `on`.
    case relay(on: String, endpoint: String, request: String, purpose: String)
    /// A change rollout makes itself to what the previous call read (the nginx upstream file).
    case edit(String)

    /// The command, when the call runs one.
    public var command: PlannedCommand? {
        switch self {
        case .run(let command, _): return command
        case .relay(let on, let endpoint, let request, _):
            return PlannedCommand(on: on, argv: HAProxyRuntime.relay(endpoint: endpoint), stdin: request + "\n")
        case .socket, .edit: return nil
        }
    }
}

/// One gateway step of a host: what it does and every call it makes, in order.
public struct GatewayStep: Sendable, Equatable {
    public enum Operation: String, Sendable, Equatable {
        /// Out of rotation, read back.
        case drain
        /// Back in rotation, read back.
        case restore
        /// Just before the restart: read the state; a host back in rotation (an HAProxy reload) is drained again
        /// and waited for again.
        case recheckDrained = "recheck_drained"
        /// After the restore: read the state; a host not in rotation is restored again.
        case recheckRestored = "recheck_restored"
    }

    public var operation: Operation
    /// `haproxy`, `lvs`, `nginx` or `command`.
    public var kind: String
    /// `controller` or the inventory host the gateway's commands run on.
    public var on: String
    public var calls: [GatewayCall]

    public init(operation: Operation, kind: String, on: String, calls: [GatewayCall]) {
        self.operation = operation
        self.kind = kind
        self.on = on
        self.calls = calls
    }
}
