/// The agent itself, in `status` and `upgrade-agent` answers.
public struct AgentInfo: Codable, Sendable, Equatable {
    public var version: String
    public var pid: Int32
    public var binary: String
    public var started: String
    /// How many times this agent process exec'ed a new binary in place.
    public var upgrades: Int
    /// Set when this agent took its service over from a dead agent.
    public var takeover: TakeoverInfo?

    public init(version: String, pid: Int32, binary: String, started: String, upgrades: Int, takeover: TakeoverInfo?) {
        self.version = version
        self.pid = pid
        self.binary = binary
        self.started = started
        self.upgrades = upgrades
        self.takeover = takeover
    }
}

public struct ListenerInfo: Codable, Sendable, Equatable {
    public var name: String
    public var address: String
    public var fd: Int32
    /// `active` (handed to new generations) or `retired` (removed by a reload, still used).
    public var state: String
    public var activated: Bool

    public init(name: String, address: String, fd: Int32, state: String, activated: Bool) {
        self.name = name
        self.address = address
        self.fd = fd
        self.state = state
        self.activated = activated
    }
}

public struct GenerationInfo: Codable, Sendable, Equatable {
    public var generation: Int
    public var pid: Int32
    public var release: String?
    public var version: String?
    public var state: String
    public var started: String
    public var readyMs: Int?
    public var status: String?
    public var listeners: [String]
    /// True for a generation started by a previous agent that died, taken over by this one.
    public var adopted: Bool?

    public init(
        generation: Int, pid: Int32, release: String?, version: String?, state: String, started: String, readyMs: Int?,
        status: String?, listeners: [String], adopted: Bool? = nil
    ) {
        self.generation = generation
        self.pid = pid
        self.release = release
        self.version = version
        self.state = state
        self.started = started
        self.readyMs = readyMs
        self.status = status
        self.listeners = listeners
        self.adopted = adopted
    }
}

/// Counters since the agent started (kept across self-upgrades).
public struct RestartCounters: Codable, Sendable, Equatable {
    /// Hot restarts that completed.
    public var hot: Int = 0
    /// Restarts reported as failed (the old generation kept serving).
    public var failed: Int = 0
    /// Unexpected exits of the running service.
    public var crashes: Int = 0
    /// Automatic restarts after a crash.
    public var crashRestarts: Int = 0

    public init(hot: Int = 0, failed: Int = 0, crashes: Int = 0, crashRestarts: Int = 0) {
        self.hot = hot
        self.failed = failed
        self.crashes = crashes
        self.crashRestarts = crashRestarts
    }
}

/// How this agent came to supervise its generations, in `status` (`agent.takeover`).
public struct TakeoverInfo: Codable, Sendable, Equatable {
    /// The dead agent's pid and version.
    public var fromPid: Int32
    public var fromVersion: String
    /// The generations taken over.
    public var generations: [Int]
    /// From reading the record to supervising (listeners, pipes and notify sockets in hand).
    public var takeoverMs: Int
    /// Where the listeners came from: `pidfd_getfd` (copied from the service) or `fdstore` (systemd).
    public var listenersFrom: String

    public init(fromPid: Int32, fromVersion: String, generations: [Int], takeoverMs: Int, listenersFrom: String) {
        self.fromPid = fromPid
        self.fromVersion = fromVersion
        self.generations = generations
        self.takeoverMs = takeoverMs
        self.listenersFrom = listenersFrom
    }
}
