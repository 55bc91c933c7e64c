/// The traffic gateway a `drain` host is taken out of and put back into.
public struct GatewaySpec: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case haproxy, lvs, nginx, command
    }

    public enum Settings: Sendable, Equatable {
        /// HAProxy runtime API on a Unix socket path or `host:port`.
        case haproxy(socket: Template?, address: Template?, backend: Template, server: Template)
        /// LVS via `ipvsadm`: `tcp:VIP:PORT` or `udp:...`, and the real server as `ADDRESS:PORT`.
        case lvs(virtualService: Template, realServer: Template, weight: Int)
        /// An nginx upstream file where the host's `server` line gets ` down`, then a reload.
        case nginx(upstreamFile: Template, server: Template, reload: Template, status: Template?)
        /// Commands of your own; `status` prints the host's active connection count.
        case command(drain: Template, restore: Template, status: Template?)
    }

    public var settings: Settings
    /// Where the gateway commands run: `controller`, or an inventory host name.
    public var on: String
    /// How long to wait for connections to reach zero before restarting anyway.
    public var drainDeadline: Duration
    /// How often to poll the connection count while draining.
    public var pollInterval: Duration
}
