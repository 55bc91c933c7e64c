import Foundation
import Glibc
import RolloutJSON

/// What a running agent keeps on disk so that a new agent can take its service over after it died: the agent
/// itself, its listeners, and each running generation with the order of the listeners it got from fd 3.
///
/// Written atomically (`AtomicFile`) whenever any of it changes, before a new generation can serve; removed when the
/// agent stops. Kept deliberately small and stable: `schema` is bumped on any incompatible change, and an agent reads
/// every schema up to its own (`TakeoverRecord.read`). It holds no fd numbers: fds are copied from the running
/// processes (`pidfd_getfd`) or come back from systemd's fd store.
struct TakeoverRecord: Codable, Equatable {
    /// The newest schema this agent writes and reads.
    static let schema = 1

    struct ListenerEntry: Codable, Equatable {
        var name: String
        /// `tcp:host:port` or `unix:/path` (`ListenerConfig.addressKey`).
        var address: String
        var activated: Bool
    }

    struct GenerationEntry: Codable, Equatable {
        var number: Int
        var process: ProcessIdentity
        var release: String?
        var version: String?
        var state: Generation.State
        var startedWall: Date
        var startedMono: Int64
        var readyMono: Int64?
        var readyMilliseconds: Int?
        /// The listeners' addresses in the order the generation got them (fd 3, 4, ...).
        var listeners: [String]
        var notifyPath: String?
        /// The process holding a second read end of its log pipe (at its fd 3).
        var logHolder: ProcessIdentity?
        var statusText: String?
    }

    var schema: Int
    var service: String
    var agent: ProcessIdentity
    var agentVersion: String
    var listeners: [ListenerEntry]
    var generations: [GenerationEntry]
    var nextGeneration: Int
    var counters: RestartCounters

    /// `<runtime directory>/<service>.takeover.json`.
    static func path(for config: AgentConfig) -> String {
        "\(config.notifyDirectory)/\(config.service).takeover.json"
    }

    static let coding = JSONCoding(snakeCaseKeys: true, dates: .iso8601)

    func encoded() throws -> [UInt8] {
        Array(try JSONValue.compactText(of: self, coding: Self.coding).utf8) + [10]
    }

    func write(to path: String) throws {
        try AtomicFile.write(path, try encoded(), mode: 0o600)
    }

    /// The record at `path`: nil when there is none. Throws `agent.takeover-record` when it exists but cannot be read
    /// (damaged, or written by a newer agent with a schema this one does not know).
    static func read(path: String) throws -> TakeoverRecord? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try decode(data, path: path)
    }

    static func decode(_ data: Data, path: String) throws -> TakeoverRecord {
        struct Version: Decodable { var schema: Int? }
        guard let version = try? JSONValue.decode(Version.self, from: data, coding: coding), let schema = version.schema
        else {
            throw AgentError("agent.takeover-record", "\(path) is not a takeover record (no schema); remove it")
        }
        guard schema <= Self.schema else {
            throw AgentError(
                "agent.takeover-record",
                "\(path) has schema \(schema), written by a newer rollout-agent; this one (\(AgentVersion.current)) "
                    + "reads schema \(Self.schema) and older: run the newer binary to take over")
        }
        do {
            return try JSONValue.decode(TakeoverRecord.self, from: data, coding: coding)
        } catch {
            throw AgentError("agent.takeover-record", "\(path) is damaged (\(error)); remove it")
        }
    }
}
