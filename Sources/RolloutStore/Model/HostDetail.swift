import Foundation

/// One host of a rollout with its phases, as `rollout show` reports it.
public struct HostDetail: Sendable, Hashable, Encodable {
    public var name: String
    public var address: String?
    public var position: Int
    public var batch: Int
    public var fromVersion: String?
    public var toVersion: String
    public var strategy: String?
    public var status: HostStatus
    public var error: String?
    public var updatedAt: Date
    /// In the order they began.
    public var phases: [PhaseEntry]

    /// When its first phase began.
    public var startedAt: Date? { phases.first?.startedAt }
    /// When its last phase ended; nil while a phase is running or none has begun.
    public var finishedAt: Date? {
        phases.contains { $0.finishedAt == nil } ? nil : phases.compactMap(\.finishedAt).max()
    }
    public var duration: Duration? { JournalDuration.between(startedAt, finishedAt) }

    init(_ row: HostRow, phases: [PhaseEntry]) {
        name = row.name
        address = row.address
        position = row.position
        batch = row.batch
        fromVersion = row.fromVersion
        toVersion = row.toVersion
        strategy = row.strategy
        status = row.status
        error = row.error
        updatedAt = row.updatedAt
        self.phases = phases
    }

    enum CodingKeys: String, CodingKey {
        case name, address, position, batch
        case fromVersion = "from_version"
        case toVersion = "to_version"
        case strategy, status, error
        case updatedAt = "updated_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationMS = "duration_ms"
        case phases
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(address, forKey: .address)
        try container.encode(position, forKey: .position)
        try container.encode(batch, forKey: .batch)
        try container.encode(fromVersion, forKey: .fromVersion)
        try container.encode(toVersion, forKey: .toVersion)
        try container.encode(strategy, forKey: .strategy)
        try container.encode(status, forKey: .status)
        try container.encode(error, forKey: .error)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(JournalDuration.milliseconds(duration), forKey: .durationMS)
        try container.encode(phases, forKey: .phases)
    }
}
