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
    /// `ctl reload-service`: the reload signal and how long to wait for the service's confirmation.
    public var reload: ReloadConfig
    public var log: LogConfig
    /// The control socket (mode 0600).
    public var controlSocket: String
    /// Where the agent writes its pid (atomically). Optional.
    public var pidFile: String?
    /// Directory for per-generation notify sockets; defaults to the control socket's directory.
    public var runtimeDirectory: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case service, listeners, command, environment, user, group, readiness, stop, restart, reload, log
        case releaseLink = "release_link"
        case workingDirectory = "working_directory"
        case controlSocket = "control_socket"
        case pidFile = "pid_file"
        case runtimeDirectory = "runtime_directory"
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
        reload = ReloadConfig()
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
        reload = try c.decodeIfPresent(ReloadConfig.self, forKey: .reload) ?? ReloadConfig()
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
