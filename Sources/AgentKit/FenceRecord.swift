import Foundation
import Glibc
import RolloutJSON

/// The highest fencing token the agent has seen for its service, kept on disk beside the control socket
/// (`<dir>/<service>.fence.json`) so that it survives the agent's restart, its self-upgrade and a takeover by a new
/// agent after a kill -9: every agent of the service reads the same file before it acts on a fenced request.
///
/// Written atomically and `fsync`ed (``AtomicFile``) before the request it admits is carried out; never removed by
/// the agent (not even when it stops).
struct FenceRecord: Codable, Equatable {
    static let schema = 1

    var schema: Int
    var service: String
    var fence: Int64
    var updated: Date

    /// Beside the control socket: the directory the controller chose for the service (its root by default), not the
    /// runtime directory, which may be a tmpfs.
    static func path(for config: AgentConfig) -> String {
        "\((config.controlSocket as NSString).deletingLastPathComponent)/\(config.service).fence.json"
    }

    /// The highest token recorded at `path`, nil when there is none. Throws `agent.fence-record` when the file exists
    /// but cannot be read: fenced requests are then refused until it is repaired or removed.
    static let coding = JSONCoding(dates: .iso8601)

    static func highest(path: String) throws -> Int64? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let record = try? JSONValue.decode(FenceRecord.self, from: data, coding: coding), record.schema <= schema
        else {
            throw AgentError(
                "agent.fence-record",
                "\(path) is not a fencing record this agent reads; remove it only if no older controller may still "
                    + "run (the next fenced request records its token again)")
        }
        return record.fence
    }

    /// Records `fence` as the highest token seen (atomically and durably).
    static func record(_ fence: Int64, service: String, path: String) throws {
        let record = FenceRecord(schema: schema, service: service, fence: fence, updated: Date())
        let text = try JSONValue.compactText(of: record, coding: coding) + "\n"
        try AtomicFile.write(path, Array(text.utf8), mode: 0o600, durable: true)
    }
}

/// What the agent does with a request's fencing token, given the highest one it has seen: pure, so that the rule is
/// tested without an agent.
enum FenceCheck: Equatable {
    /// Go on; `record` is the new highest token to write first (nil: nothing to write).
    case admit(record: Int64?)
    /// Do nothing to the service; the reason names both tokens.
    case refuse(String)

    static func decide(requested: Int64?, highest: Int64?, service: String, command: String) -> FenceCheck {
        guard let requested else { return .admit(record: nil) }
        guard let highest else { return .admit(record: requested) }
        if requested < highest {
            return .refuse(
                "fencing token \(requested) is lower than \(highest), the highest this agent has seen for \(service): "
                    + "a newer holder of the fleet's lock controls it; \(command) not done")
        }
        return .admit(record: requested > highest ? requested : nil)
    }
}
