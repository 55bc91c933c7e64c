/// Where a host stands in the traffic gateway, as read back from the gateway itself.
public enum GatewayServerState: String, Sendable, Codable, Equatable {
    /// Receiving new connections.
    case inRotation = "in_rotation"
    /// No new connections; existing ones may still be open.
    case draining
    /// Out of rotation (maintenance, weight 0, `down`).
    case out
    /// The gateway does not know the server or could not be read.
    case unknown
}

/// One host's entry in the gateway, read back after every change (never assumed).
public struct GatewayServerStatus: Sendable, Codable, Equatable {
    /// The inventory host name.
    public var host: String
    public var state: GatewayServerState
    /// Active connections to the host through the gateway, when the gateway reports them.
    public var connections: Int?
    /// What the gateway said, for reports (`MAINT`, `weight 0`, ...).
    public var detail: String?

    public init(host: String, state: GatewayServerState, connections: Int? = nil, detail: String? = nil) {
        self.host = host
        self.state = state
        self.connections = connections
        self.detail = detail
    }
}

/// A host as the gateway names it.
public struct GatewayTarget: Sendable, Hashable {
    /// The inventory host name.
    public var host: String
    /// The host's name or address in the gateway's configuration (HAProxy `BACKEND/SERVER`, LVS real server
    /// `ADDRESS:PORT`, the nginx `server` line), after variable substitution.
    public var server: String

    public init(host: String, server: String) {
        self.host = host
        self.server = server
    }
}

/// Takes hosts out of the traffic layer in front of the fleet and puts them back.
///
/// Every operation returns the state read back from the gateway after the change; a driver that cannot
/// confirm the change throws rather than report what it hoped for.
public protocol TrafficGateway: Sendable {
    /// `haproxy`, `lvs`, `nginx` or `command`.
    var kind: String { get }
    /// Stops new connections to `target`; existing ones go on.
    func drain(_ target: GatewayTarget) async throws -> GatewayServerStatus
    /// Puts `target` back in rotation.
    func restore(_ target: GatewayTarget) async throws -> GatewayServerStatus
    /// Reads `target`'s state and connection count.
    func status(_ target: GatewayTarget) async throws -> GatewayServerStatus
}

/// Runs a shell command where the gateway lives: on the gateway host over SSH, or on the controller.
public protocol GatewayCommandRunner: Sendable {
    /// Runs `command` with the remote user's shell; `stdin` is written to it when given.
    func run(_ command: String, stdin: [UInt8]?, timeout: Duration) async throws -> GatewayCommandResult
}

/// How a gateway command ended.
public struct GatewayCommandResult: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}
