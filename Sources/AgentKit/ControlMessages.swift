import Foundation

/// A request on the control socket: one JSON object on one line, e.g. `{"command":"restart"}`.
public struct ControlRequest: Codable, Sendable, Equatable {
    /// `status`, `restart`, `stop`, `reload` or `upgrade-agent`.
    public var command: String
    /// `upgrade-agent`: the new agent binary.
    public var binary: String?

    public init(command: String, binary: String? = nil) {
        self.command = command
        self.binary = binary
    }

    public static let commands = ["status", "restart", "stop", "reload", "upgrade-agent"]
}

/// The answer to every control request: one JSON object; fields that do not apply are absent.
///
/// `outcome` is `ok`, `failed` (the operation ran and did not succeed), `refused` (not started:
/// busy or stopping) or `error` (bad request). The full schema per command is in `docs/agent.md`.
public struct ControlResponse: Codable, Sendable, Equatable {
    public var command: String
    public var outcome: String
    public var reason: String?
    // restart
    public var generation: Int?
    public var oldPid: Int32?
    public var newPid: Int32?
    public var release: String?
    public var version: String?
    public var readyMs: Int?
    public var drainMs: Int?
    public var handoffMs: Int?
    public var oldKilled: Bool?
    public var logTail: [String]?
    // status
    public var service: String?
    public var state: String?
    public var agent: AgentInfo?
    public var listeners: [ListenerInfo]?
    public var generations: [GenerationInfo]?
    public var restarts: RestartCounters?
    // reload
    public var listenersAdded: [String]?
    public var listenersRemoved: [String]?

    public init(command: String, outcome: String, reason: String? = nil) {
        self.command = command
        self.outcome = outcome
        self.reason = reason
    }

    public static func refused(_ command: String, _ reason: String) -> ControlResponse {
        ControlResponse(command: command, outcome: "refused", reason: reason)
    }

    /// One line of JSON with sorted snake_case keys.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data("{\"outcome\":\"error\"}".utf8)) + [10]
    }

    public static func decode(_ data: Data) throws -> ControlResponse {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ControlResponse.self, from: data)
    }
}

/// The agent itself, in `status` and `upgrade-agent` answers.
public struct AgentInfo: Codable, Sendable, Equatable {
    public var version: String
    public var pid: Int32
    public var binary: String
    public var started: String
    /// How many times this agent process exec'ed a new binary in place.
    public var upgrades: Int
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
}
