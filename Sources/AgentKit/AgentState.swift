import Foundation
import Glibc
import RolloutJSON

/// The format of `ROLLOUT_AGENT_STATE` (`AgentState`) this build writes, and the ones it reads.
public enum AgentStateSchema {
    /// 1: the format before it carried a version (the same fields as 2, without `schema`).
    public static let current = 2
    /// The schema written by this build. Only a test build changes these two (first thing in its `main`), to play a
    /// binary whose state format differs.
    nonisolated(unsafe) public static var written = current
    nonisolated(unsafe) public static var readable: Set<Int> = [1, 2]

    /// `rollout-agent run --check-state`: whether this binary reads the state in `ROLLOUT_AGENT_STATE`, as the running
    /// agent asks before it execs it. Returns the line to print and the exit status (0: it does).
    public static func check() -> (message: String, status: Int32) {
        guard let text = getenv(AgentState.variable).map({ String(cString: $0) }) else {
            return ("\(AgentState.variable) is not set: nothing to check", 2)
        }
        switch AgentState.parse(text) {
        case .success(let state):
            return ("rollout-agent \(AgentVersion.current) reads agent state schema \(state.schema ?? 1)", 0)
        case .failure(let error):
            return (error.message, 3)
        }
    }
}

/// What a running agent hands to the new binary it execs in place (self-upgrade): every fd number
/// that must survive and the bookkeeping about its children. Passed in `ROLLOUT_AGENT_STATE`, with a schema
/// version; the new binary is asked first whether it reads it (`run --check-state`).
struct AgentState: Codable {
    struct GenerationSnapshot: Codable {
        var number: Int
        var pid: Int32
        var release: String?
        var version: String?
        var startedWall: Date
        var startedMono: Int64
        var readyMono: Int64?
        var readyMilliseconds: Int?
        var listenerFDs: [Int32]
        var notifyFD: Int32?
        var notifyPath: String?
        var logFD: Int32
        var statusText: String?
        var logHolder: ProcessIdentity?
        /// An adopted generation (not a child): its pidfd, inherited like the other fds.
        var pidFD: Int32?
    }

    struct ListenerSnapshot: Codable {
        var name: String
        var addressKey: String
        var fd: Int32
        var activated: Bool
        var retired: Bool
    }

    /// `AgentStateSchema`; absent (1) in the format before it was versioned.
    var schema: Int?
    var configPath: String
    /// The config in force (the file may have changed since; a reload applies it, not an upgrade).
    var config: AgentConfig
    var controlFD: Int32
    var controlPath: String
    var requesterFD: Int32
    var listeners: [ListenerSnapshot]
    var generations: [GenerationSnapshot]
    var current: Int?
    var nextGeneration: Int
    var counters: RestartCounters
    var crashStreak: Int
    var startedWall: Date
    var upgrades: Int
    var readyNotified: Bool
    var systemdSocket: String?
    var takeover: TakeoverInfo?

    static let variable = "ROLLOUT_AGENT_STATE"

    /// Every fd the new binary must inherit.
    var inheritedFDs: [Int32] {
        [controlFD, requesterFD] + listeners.map(\.fd)
            + generations.flatMap { [$0.logFD] + ($0.notifyFD.map { [$0] } ?? []) + ($0.pidFD.map { [$0] } ?? []) }
            .filter { $0 >= 0 }
    }

    /// What this process inherited in `ROLLOUT_AGENT_STATE`.
    enum Inherited {
        /// Not started by a self-upgrade.
        case none
        case state(AgentState)
        /// Set, but in a format this binary does not read (the reason says which).
        case unreadable(String)
    }

    /// The state left by the previous binary, if this process was started by a self-upgrade. Removes
    /// the variable so that nothing inherits it.
    static func take() -> Inherited {
        guard let text = getenv(variable).map({ String(cString: $0) }) else { return .none }
        unsetenv(variable)
        switch parse(text) {
        case .success(let state): return .state(state)
        case .failure(let error): return .unreadable(error.message)
        }
    }

    /// Reads a state in a schema this binary knows; the error names the schema found and the ones it reads.
    static func parse(_ text: String) -> Result<AgentState, AgentError> {
        struct Version: Decodable { var schema: Int? }
        let data = Data(text.utf8)
        let readable = AgentStateSchema.readable.sorted().map(String.init).joined(separator: ", ")
        guard let version = try? JSONValue.decode(Version.self, from: data) else {
            return .failure(AgentError("agent.upgrade-state", "\(variable) is not a JSON object"))
        }
        let schema = version.schema ?? 1
        guard AgentStateSchema.readable.contains(schema) else {
            return .failure(
                AgentError(
                    "agent.upgrade-state",
                    "\(variable) has schema \(schema); rollout-agent \(AgentVersion.current) reads schema \(readable)"))
        }
        do {
            return .success(try JSONValue.decode(AgentState.self, from: data))
        } catch {
            return .failure(
                AgentError("agent.upgrade-state", "\(variable) (schema \(schema)) is unreadable: \(error)"))
        }
    }

    func encoded() throws -> String {
        try JSONValue.compactText(of: self)
    }
}
