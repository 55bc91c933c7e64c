import Foundation

/// The agent's configuration, read from YAML (`rollout-agent run --config FILE`).
///
/// The schema is documented in `docs/agent.md` and kept stable: the controller generates it.
/// Keys are snake_case; unknown keys are rejected so that a typo never silently does nothing.
public struct AgentConfig: Codable, Sendable, Equatable {
    /// The service's name, used in logs and default paths.
    public var service: String
    /// Sockets the agent owns and hands to every generation, in this order from fd 3.
    public var listeners: [ListenerConfig]
    /// The service's argv. Resolved at every start, so `<root>/current/...` follows the symlink.
    public var command: [String]
    /// A symlink such as `<root>/current`; resolved at every start to report the release path and
    /// version (its last component). Optional.
    public var releaseLink: String?
    /// Extra environment for the service (PATH and LANG are inherited from the agent unless set here).
    public var environment: [String: String]
    /// The service's working directory (resolved at every start); defaults to the agent's.
    public var workingDirectory: String?
    /// The user (and optional group) the service runs as when the agent runs as root.
    public var user: String?
    public var group: String?
    public var readiness: ReadinessConfig
    public var stop: StopConfig
    public var restart: RestartConfig
    public var log: LogConfig
    /// The control socket (mode 0600).
    public var controlSocket: String
    /// Where the agent writes its pid (atomically). Optional.
    public var pidFile: String?
    /// Directory for per-generation notify sockets; defaults to the control socket's directory.
    public var runtimeDirectory: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case service, listeners, command, environment, user, group, readiness, stop, restart, log
        case releaseLink = "release_link", workingDirectory = "working_directory"
        case controlSocket = "control_socket", pidFile = "pid_file", runtimeDirectory = "runtime_directory"
    }

    public init(
        service: String, listeners: [ListenerConfig], command: [String], controlSocket: String,
        readiness: ReadinessConfig = ReadinessConfig()
    ) {
        self.service = service
        self.listeners = listeners
        self.command = command
        self.controlSocket = controlSocket
        self.readiness = readiness
        environment = [:]
        stop = StopConfig()
        restart = RestartConfig()
        log = LogConfig()
    }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        service = try c.decode(String.self, forKey: .service)
        listeners = try c.decodeIfPresent([ListenerConfig].self, forKey: .listeners) ?? []
        command = try c.decode([String].self, forKey: .command)
        releaseLink = try c.decodeIfPresent(String.self, forKey: .releaseLink)
        environment = try c.decodeIfPresent([String: String].self, forKey: .environment) ?? [:]
        workingDirectory = try c.decodeIfPresent(String.self, forKey: .workingDirectory)
        user = try c.decodeIfPresent(String.self, forKey: .user)
        group = try c.decodeIfPresent(String.self, forKey: .group)
        readiness = try c.decodeIfPresent(ReadinessConfig.self, forKey: .readiness) ?? ReadinessConfig()
        stop = try c.decodeIfPresent(StopConfig.self, forKey: .stop) ?? StopConfig()
        restart = try c.decodeIfPresent(RestartConfig.self, forKey: .restart) ?? RestartConfig()
        log = try c.decodeIfPresent(LogConfig.self, forKey: .log) ?? LogConfig()
        controlSocket = try c.decode(String.self, forKey: .controlSocket)
        pidFile = try c.decodeIfPresent(String.self, forKey: .pidFile)
        runtimeDirectory = try c.decodeIfPresent(String.self, forKey: .runtimeDirectory)
    }

    /// The directory holding per-generation notify sockets.
    public var notifyDirectory: String {
        runtimeDirectory ?? (controlSocket as NSString).deletingLastPathComponent
    }
}

/// One listening socket: TCP (`tcp: host:port`) or a Unix stream socket (`unix: PATH`).
public struct ListenerConfig: Codable, Sendable, Equatable {
    /// The name passed to the service in `LISTEN_FDNAMES` (and matched against systemd's
    /// `FileDescriptorName=` for socket activation).
    public var name: String
    public var tcp: String?
    public var unix: String?
    /// Octal permission bits for a Unix socket, e.g. `"0660"`.
    public var mode: String?
    /// `user` or `user:group` owning a Unix socket.
    public var owner: String?
    /// The listen(2) backlog; large so that connections queue, never refuse, during a handoff.
    public var backlog: Int?

    public init(name: String, tcp: String? = nil, unix: String? = nil, mode: String? = nil, owner: String? = nil) {
        self.name = name
        self.tcp = tcp
        self.unix = unix
        self.mode = mode
        self.owner = owner
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, tcp, unix, mode, owner, backlog }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        tcp = try c.decodeIfPresent(String.self, forKey: .tcp)
        unix = try c.decodeIfPresent(String.self, forKey: .unix)
        mode = try c.decodeIfPresent(String.self, forKey: .mode)
        owner = try c.decodeIfPresent(String.self, forKey: .owner)
        backlog = try c.decodeIfPresent(Int.self, forKey: .backlog)
    }

    /// A stable identity of the address: two listeners with the same key share one socket.
    public var addressKey: String { tcp.map { "tcp:\($0)" } ?? "unix:\(unix ?? "")" }
}

/// How the agent decides that a new generation is ready.
public struct ReadinessConfig: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// sd_notify `READY=1` on the generation's `NOTIFY_SOCKET`.
        case notify
        /// `GET path` until a 2xx answer.
        case http
        /// A TCP (or Unix socket) connect succeeds.
        case tcp
        /// A fixed delay after the start.
        case delay
    }

    public var type: Kind = .notify
    /// The deadline: a generation not ready by then is killed and the restart reported as failed.
    public var timeout: ConfigDuration = .seconds(30)
    /// `http`/`tcp`: `host:port` or a Unix socket path; `{generation}` and `{pid}` are substituted.
    public var address: String?
    /// `http`: the path to GET.
    public var path: String = "/health"
    /// `http`: a response header that must equal the new generation's pid (e.g. `X-Pid`), so a probe
    /// answered by the old generation through the shared listener does not count.
    public var pidHeader: String?
    /// `http`/`tcp`: pause between probes.
    public var interval: ConfigDuration = ConfigDuration(milliseconds: 200)
    /// `delay`: how long to wait.
    public var delay: ConfigDuration = .seconds(1)

    public init(type: Kind = .notify, timeout: ConfigDuration = .seconds(30)) {
        self.type = type
        self.timeout = timeout
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, timeout, address, path, interval, delay
        case pidHeader = "pid_header"
    }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(Kind.self, forKey: .type) ?? .notify
        timeout = try c.decodeIfPresent(ConfigDuration.self, forKey: .timeout) ?? .seconds(30)
        address = try c.decodeIfPresent(String.self, forKey: .address)
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? "/health"
        pidHeader = try c.decodeIfPresent(String.self, forKey: .pidHeader)
        interval = try c.decodeIfPresent(ConfigDuration.self, forKey: .interval) ?? ConfigDuration(milliseconds: 200)
        delay = try c.decodeIfPresent(ConfigDuration.self, forKey: .delay) ?? .seconds(1)
    }
}
