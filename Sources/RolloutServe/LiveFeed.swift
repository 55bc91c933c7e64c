import Foundation
import RolloutJSON
import RolloutStore

/// What changed in a rollout between two reads of the journal, as server-sent events: a `phase` event for every phase
/// that began or finished since, and an `end` event once the rollout is no longer running. Pure.
struct LiveFeed {
    /// Each phase's status when last sent, by phase id.
    private var sent: [Int64: String] = [:]
    private(set) var ended = false

    struct Event: Equatable {
        var name: String
        var data: String

        /// `event: NAME` and `data: JSON`, as text/event-stream frames them.
        var frame: String { "event: \(name)\ndata: \(data)\n\n" }
    }

    mutating func events(for detail: RolloutDetail) -> [Event] {
        guard !ended else { return [] }
        var events: [Event] = []
        let phases = detail.hosts.flatMap { host in host.phases.map { (host.name, $0) } }.sorted { $0.1.id < $1.1.id }
        for (host, phase) in phases where sent[phase.id] != phase.status.rawValue {
            sent[phase.id] = phase.status.rawValue
            events.append(
                Event(
                    name: "phase",
                    data: Self.json([
                        "host": .string(host), "phase": .string(phase.name), "status": .string(phase.status.rawValue),
                        "started_at": .string(JournalTime.string(from: phase.startedAt)),
                        "finished_at": phase.finishedAt.map { .string(JournalTime.string(from: $0)) } ?? .null,
                        "error": phase.error.map(JSONValue.string) ?? .null,
                    ])))
        }
        if detail.status != .running {
            ended = true
            events.append(
                Event(
                    name: "end",
                    data: Self.json([
                        "status": .string(detail.status.rawValue),
                        "exit_code": detail.summary.exitCode.map { .int(Int64($0)) } ?? .null,
                    ])))
        }
        return events
    }

    static func json(_ members: [String: JSONValue]) -> String {
        (try? JSONValue.object(members).compactText()) ?? "{}"
    }
}
