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
}

public struct ListenerInfo: Codable, Sendable, Equatable {
    public var name: String
    public var address: String
    public var fd: Int32
    /// `active` (handed to new generations) or `retired` (removed by a reload, still used).
    public var state: String
    public var activated: Bool
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
