import Foundation
import Glibc

/// What a running agent hands to the new binary it execs in place (self-upgrade): every fd number
/// that must survive and the bookkeeping about its children. Passed in `ROLLOUT_AGENT_STATE`.
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
    }

    struct ListenerSnapshot: Codable {
        var name: String
        var addressKey: String
        var fd: Int32
        var activated: Bool
        var retired: Bool
    }

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

    static let variable = "ROLLOUT_AGENT_STATE"

    /// Every fd the new binary must inherit.
    var inheritedFDs: [Int32] {
        [controlFD, requesterFD] + listeners.map(\.fd)
            + generations.flatMap { [$0.logFD] + ($0.notifyFD.map { [$0] } ?? []) }
    }

    /// The state left by the previous binary, if this process was started by a self-upgrade. Removes
    /// the variable so that nothing inherits it.
    static func take() throws -> AgentState? {
        guard let text = getenv(variable).map({ String(cString: $0) }) else { return nil }
        unsetenv(variable)
        do {
            return try JSONDecoder().decode(AgentState.self, from: Data(text.utf8))
        } catch {
            throw AgentError(
                "agent.upgrade-state",
                "\(variable) is set but unreadable (\(error)); the previous agent's children may still run: stop them")
        }
    }

    func encoded() throws -> String {
        String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }
}
