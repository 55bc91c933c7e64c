/// Builds the agent's control commands (`rollout-agent ctl --socket S ...`), run over SSH on the host.
public struct AgentCommands: Sendable, Equatable {
    public var host: String
    public var agent: String
    public var socket: String

    public init(host: String, agent: String, socket: String) {
        self.host = host
        self.agent = agent
        self.socket = socket
    }

    /// Asks the agent to start the release `current` points to on its sockets: `hot` beside the running
    /// generation (handed the sockets, then the old one drains), `cold` after the running one has stopped.
    /// `fence`: the controller's fencing token (`--fence N`), refused by the agent when lower than one it has seen.
    public func restart(timeout: Duration, mode: RestartMode = .hot, fence: Int64? = nil) -> PlannedCommand {
        ctl(["restart"] + (mode == .cold ? ["--cold"] : []) + fenced(fence), timeout: timeout)
    }

    /// `--fence N`, or nothing.
    func fenced(_ fence: Int64?) -> [String] { fence.map { ["--fence", String($0)] } ?? [] }

    /// Asks the agent what it runs (pid, generation, version).
    public func status() -> PlannedCommand {
        ctl(["status"])
    }

    /// `AGENT ctl --socket S ARGS...`.
    func ctl(_ arguments: [String], timeout: Duration? = nil) -> PlannedCommand {
        PlannedCommand(on: host, argv: [agent, "ctl", "--socket", socket] + arguments, timeout: timeout)
    }
}

extension AgentCommands {
    /// Asks the agent to send the service its reload signal and wait for the service's confirmation
    /// (`RELOADING=1` then `READY=1`, or its readiness probe); the answer is JSON like `restart`'s.
    public func reloadService(timeout: Duration, fence: Int64? = nil) -> PlannedCommand {
        ctl(["reload-service"] + fenced(fence), timeout: timeout)
    }
}

extension AgentCommands {
    /// Makes the agent read its config file again (listeners added or removed, new settings).
    public func reloadConfig() -> PlannedCommand {
        ctl(["reload"])
    }

    /// Makes the running agent exec `binary` in place (same pid, sockets and service).
    public func upgradeAgent(binary: String) -> PlannedCommand {
        ctl(["upgrade-agent", "--binary", binary])
    }
}
