import Foundation
import RolloutJSON

/// Everything the journal knows about one rollout: `rollout show`, and what `rollout resume` starts from.
public struct RolloutDetail: Sendable, Hashable, Encodable {
    public var summary: RolloutSummary
    public var plan: JSONValue?
    /// In plan order (`position`).
    public var hosts: [HostDetail]
    /// Oldest first.
    public var events: [JournalEvent]

    public var id: Int64 { summary.id }
    public var status: RolloutStatus { summary.status }

    /// Hosts not in a final state (`pending` or `running`), or with a phase still `running`.
    public var unfinishedHosts: [HostDetail] {
        hosts.filter { $0.status == .pending || $0.status == .running || $0.phases.contains { $0.status == .running } }
    }

    enum CodingKeys: String, CodingKey {
        case plan, hosts, events
    }

    /// The summary's keys at the top level, then `plan`, `hosts` and `events`.
    public func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(plan, forKey: .plan)
        try container.encode(hosts, forKey: .hosts)
        try container.encode(events, forKey: .events)
    }
}
