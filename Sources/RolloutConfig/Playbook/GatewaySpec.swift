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
    /// How long to wait for connections to reach zero; then `onDrainTimeout` decides.
    public var drainDeadline: Duration
    /// How often to poll the connection count while draining.
    public var pollInterval: Duration
    /// What happens when `drainDeadline` passes with connections still open (`on_drain_timeout`).
    public var onDrainTimeout: DrainTimeoutAction = .fail
}

/// The choice at the drain deadline when the gateway still counts connections to the host.
public enum DrainTimeoutAction: String, Sendable, Equatable, CaseIterable, Codable {
    /// The host fails before anything on it changed: it is restored in the gateway and the failure budget decides
    /// whether the rollout goes on. The default: cutting connections must be chosen, never a side effect.
    case fail
    /// Restart anyway; the connections still open are the service's to finish (the agent's drain timeout).
    case proceed
}
