import Foundation
import RolloutJSON

/// The answer to every control request: one JSON object; fields that do not apply are absent.
///
/// `outcome` is `ok`, `failed` (the operation ran and did not succeed), `refused` (not started:
/// busy or stopping) or `error` (bad request). The full schema per command is in `docs/agent.md`.
public struct ControlResponse: Codable, Sendable, Equatable {
    /// The version of this protocol that the answering agent speaks, in every answer since it was introduced (absent:
    /// an older agent). A new field is added without a new version; a change of meaning bumps it.
    public var protocolVersion: Int?
    public var command: String
    public var outcome: String
    public var reason: String?
    // restart
    /// `hot` or `cold` (see `ControlRequest.mode`).
    public var mode: String?
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
    /// Cold: from the request (the stop signal) to the old generation's exit, and to the new one's spawn.
    public var oldStopMs: Int?
    public var newStartMs: Int?
    /// Cold, after the new release failed: the generation running the previous release again.
    public var restoredGeneration: Int?
    public var restoredPid: Int32?
    public var restoredVersion: String?
    // status
    public var service: String?
    public var state: String?
    public var agent: AgentInfo?
    public var listeners: [ListenerInfo]?
    public var generations: [GenerationInfo]?
    public var restarts: RestartCounters?
    // reload-service (with generation, version, log_tail)
    /// The serving generation's main pid, which received the signal (and keeps serving).
    public var pid: Int32?
    /// The signal sent (`SIGHUP`).
    public var signal: String?
    /// From the signal to the confirmation.
    public var reloadMs: Int?
    /// How the service confirmed: `notify` (`RELOADING=1`, `READY=1`), `http`, `tcp` or `delay`.
    public var confirmedBy: String?
    /// The service's last `STATUS=` text after the reload.
    public var serviceStatus: String?
    /// The `ERRNO=` the service reported with a rejected reload.
    public var errno: Int?
    // reload
    public var listenersAdded: [String]?
    public var listenersRemoved: [String]?
    // fencing (restart, reload-service, stop with a token; status)
    /// The fencing token the request carried.
    public var fence: Int64?
    /// The highest fencing token the agent has seen for its service (after this request).
    public var highestFence: Int64?

    /// The protocol version this build speaks.
    public static let currentProtocolVersion = 1

    public init(command: String, outcome: String, reason: String? = nil) {
        protocolVersion = Self.currentProtocolVersion
        self.command = command
        self.outcome = outcome
        self.reason = reason
    }

    public static func refused(_ command: String, _ reason: String) -> ControlResponse {
        ControlResponse(command: command, outcome: "refused", reason: reason)
    }

    /// Refused because the request's fencing token is lower than one the agent has already seen: a newer lock holder
    /// controls this service, and retrying cannot succeed.
    public var isFencedOff: Bool {
        guard outcome == "refused", let fence, let highestFence else { return false }
        return fence < highestFence
    }

    /// One line of JSON with sorted snake_case keys.
    public func encoded() -> [UInt8] {
        Array(((try? JSONValue.compactText(of: self, coding: .snakeCase)) ?? #"{"outcome":"error"}"#).utf8) + [10]
    }

    public static func decode(_ data: Data) throws -> ControlResponse {
        try JSONValue.decode(ControlResponse.self, from: data, coding: .snakeCase)
    }
}
