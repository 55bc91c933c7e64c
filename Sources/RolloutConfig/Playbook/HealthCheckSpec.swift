/// One health check, run after a host's restart until it passes, fails or its deadline passes.
public struct HealthCheckSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case http, tcp, command
    }

    public enum Probe: Sendable, Equatable {
        /// An HTTP GET from the controller.
        case http(HTTPProbe)
        /// A TCP connect from the controller.
        case tcp(host: Template, port: Template)
        /// A shell command on the host; exit status 0 is healthy.
        case command(Template)
    }

    public struct HTTPProbe: Sendable, Equatable {
        public var url: Template
        public var status: Int
        public var bodyContains: Template?
        /// A response header that must equal the new version.
        public var versionHeader: String?
        /// A top-level key of a JSON body that must equal the new version.
        public var versionJSONKey: String?
    }

    public var probe: Probe
    public var origin: ConfigOrigin
    /// Time between attempts.
    public var interval: Duration
    /// Limit for one attempt.
    public var timeout: Duration
    /// Failed attempts tolerated before the check fails.
    public var retries: Int
    /// Consecutive successes required.
    public var successes: Int
    /// Overall limit for the check to pass.
    public var deadline: Duration
}

/// A command run before or after a phase, on the host or on the controller.
public struct HookSpec: Sendable, Equatable {
    public enum Phase: String, Sendable, Equatable, CaseIterable {
        case upload, drain, `switch`, restart, verify, undrain, rollout
    }

    public enum When: String, Sendable, Equatable, CaseIterable {
        case before, after
    }

    public enum Location: String, Sendable, Equatable, CaseIterable {
        case host, controller
    }

    public var when: When
    public var phase: Phase
    public var run: Template
    public var on: Location
    public var timeout: Duration
}

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
