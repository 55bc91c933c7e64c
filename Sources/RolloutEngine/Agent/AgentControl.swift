import AgentProtocol
import Foundation
import RolloutCore
import RolloutJSON
import RolloutStore

/// The agent's answer to one `ctl` command: the JSON line it printed, kept whole for the journal.
public struct AgentAnswer: Sendable {
    /// `ok`, `failed`, `refused` or `error`.
    public var outcome: String
    public var reason: String?
    /// The version the answer names (`restart`: the new generation's; `status`: the serving generation's).
    public var version: String?
    /// The answer as the agent's protocol defines it (`AgentProtocol`); nil when `ctl` printed no answer.
    public var response: ControlResponse?
    public var json: JSONValue
    /// The `ctl` exit status.
    public var exitStatus: Int32
    /// The host's agent predates fencing tokens: its `ctl` rejected `--fence` (the request was sent again without
    /// it), or the running agent ignored it (its answer does not echo it). Nothing was checked.
    public var unfenced = false

    /// The note for an ``unfenced`` answer.
    public func unfencedNote(_ host: String) -> String {
        "the agent on \(host) is older than fencing tokens and did not check ours; upgrade it "
            + "(`rollout agent install`) so that a controller that lost the lock cannot restart it"
    }

    /// `prefix` and the reason, with the last lines of the service's log when the agent sent them.
    public func failure(_ prefix: String) -> String {
        let tail = response?.logTail ?? []
        return prefix + (reason ?? outcome) + (tail.isEmpty ? "" : " (log: \(tail.suffix(5).joined(separator: " | ")))")
    }
}

/// Talks to a host's agent through `rollout-agent ctl --socket S ...` over SSH (see docs/agent.md).
public struct AgentControl: Sendable {
    public let shell: HostShell
    public let commands: AgentCommands
    /// How `restart` replaces the running generation (the plan's: `cold` for `drain` hosts).
    public let restartMode: RestartMode
    /// The fencing token of the lock this controller holds, sent with every `restart` and `reload-service`; nil sends
    /// none (the agent then checks nothing).
    public var fence: Int64?

    public init(
        shell: HostShell, agent: String, socket: String, restartMode: RestartMode = .hot, fence: Int64? = nil
    ) {
        self.shell = shell
        self.commands = AgentCommands(host: shell.host, agent: agent, socket: socket)
        self.restartMode = restartMode
        self.fence = fence
    }

    /// The agent's status, or nil when no agent answers on the socket (`ctl` exit 3).
    public func status() async throws -> AgentAnswer? {
        let answer = try await ctl(commands.status(), timeout: .seconds(60))
        return answer.exitStatus == 3 ? nil : answer
    }

    /// The version the agent's ready generation serves, or nil when none does.
    public func servingVersion() async throws -> String? {
        try await status()?.version
    }

    /// Asks for a restart in `restartMode`; the answer says whether the new generation became ready.
    ///
    /// A restart the agent refuses because another is in progress (a controller killed mid-restart, then
    /// resumed) is asked again until that one finishes or `timeout` passes: the agent never queues requests.
    /// - Throws: `DeployError` `lock-lost` when the agent refuses our fencing token (never retried).
    public func restart(timeout: Duration) async throws -> AgentAnswer {
        let deadline = ContinuousClock.now + timeout
        while true {
            let answer = try await fenced {
                commands.restart(timeout: timeout, mode: restartMode, fence: $0)
            } run: {
                try await ctl($0, timeout: timeout + .seconds(10))
            }
            guard answer.outcome == "refused", ContinuousClock.now < deadline else { return answer }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Asks the agent to send the service its reload signal; the answer says whether the service confirmed.
    /// - Throws: `DeployError` `lock-lost` when the agent refuses our fencing token.
    public func reloadService(timeout: Duration) async throws -> AgentAnswer {
        try await fenced {
            commands.reloadService(timeout: timeout, fence: $0)
        } run: {
            try await ctl($0, timeout: timeout + .seconds(10))
        }
    }

    /// Runs the command `build` makes with our fencing token. An agent whose `ctl` is older than fencing rejects the
    /// option (usage error, exit 64): the command is run again without it, as an older controller would (that agent
    /// cannot fence). A refusal of the token throws `lock-lost` (the step's phase then stops the rollout).
    private func fenced(
        _ build: (Int64?) -> PlannedCommand, run: (PlannedCommand) async throws -> AgentAnswer
    ) async throws -> AgentAnswer {
        var answer = try await run(build(fence))
        if fence != nil, answer.response == nil, answer.exitStatus == 64, answer.reason?.contains("--fence") == true {
            answer = try await run(build(nil))
            answer.unfenced = true
        }
        // A running agent older than fencing ignores the field: its answer does not echo it.
        if fence != nil, let response = answer.response, response.fence == nil { answer.unfenced = true }
        if answer.response?.isFencedOff == true {
            throw DeployError(
                .lockLost, "the agent on \(shell.host) refused our fencing token: \(answer.reason ?? "refused")")
        }
        return answer
    }

    public func reload() async throws {
        try await expectOK(commands.reloadConfig())
    }

    /// Makes the running agent exec its new binary in place (same pid, sockets and service).
    public func upgrade(binary: String) async throws {
        try await expectOK(commands.upgradeAgent(binary: binary))
    }

    /// Polls `status` until the agent answers.
    public func waitUntilAnswering(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await status() != nil { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw DeployError(.command, "the agent on \(shell.host) did not answer on \(commands.socket) within \(timeout)")
    }

    private func expectOK(_ command: PlannedCommand) async throws {
        let answer = try await ctl(command, timeout: .seconds(60))
        guard answer.outcome == "ok" else {
            throw DeployError(.command, "`\(command.line)` on \(shell.host): \(answer.reason ?? answer.outcome)")
        }
    }

    private func ctl(_ command: PlannedCommand, timeout: Duration) async throws -> AgentAnswer {
        var lenient = command
        lenient.mayFail = true
        let result = try await shell.run(lenient, timeout: timeout)
        let line = result.stdoutText.split(separator: "\n").last.map(String.init) ?? ""
        let response = try? ControlResponse.decode(Data(line.utf8))
        let json =
            (try? JSONValue(parsing: line)) ?? .object(["raw": .string(line), "stderr": .string(result.stderrText)])
        guard let response else {
            let fallback = result.exitStatus == 3 ? "no agent answers" : result.stderrText
            return AgentAnswer(
                outcome: "error", reason: line.isEmpty ? fallback : line, version: nil, response: nil, json: json,
                exitStatus: result.exitStatus ?? -1)
        }
        // `status` names the serving generation's version; the other answers their own.
        let version = response.version ?? response.generations?.last { $0.state == "ready" }?.version
        return AgentAnswer(
            outcome: response.outcome, reason: response.reason, version: version, response: response, json: json,
            exitStatus: result.exitStatus ?? -1)
    }
}
