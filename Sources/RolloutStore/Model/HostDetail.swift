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
    /// Configuration files a `reload` rollout switched on the host, with their SHA-256 (empty otherwise).
    public var files: [ConfigFileRecord]

    /// When its first phase began.
    public var startedAt: Date? { phases.first?.startedAt }
    /// When its last phase ended; nil while a phase is running or none has begun.
    public var finishedAt: Date? {
        phases.contains { $0.finishedAt == nil } ? nil : phases.compactMap(\.finishedAt).max()
    }
    public var duration: Duration? { JournalDuration.between(startedAt, finishedAt) }

    init(_ row: HostRow, phases: [PhaseEntry], files: [ConfigFileRecord] = []) {
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
        self.files = files
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
        case phases, files
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeJournal(name, forKey: .name)
        try container.encodeJournal(address, forKey: .address)
        try container.encodeJournal(position, forKey: .position)
        try container.encodeJournal(batch, forKey: .batch)
        try container.encodeJournal(fromVersion, forKey: .fromVersion)
        try container.encodeJournal(toVersion, forKey: .toVersion)
        try container.encodeJournal(strategy, forKey: .strategy)
        try container.encodeJournal(status, forKey: .status)
        try container.encodeJournal(error, forKey: .error)
        try container.encodeJournal(updatedAt, forKey: .updatedAt)
        try container.encodeJournal(startedAt, forKey: .startedAt)
        try container.encodeJournal(finishedAt, forKey: .finishedAt)
        try container.encodeJournal(duration, forKey: .durationMS)
        try container.encodeJournal(phases, forKey: .phases)
        try container.encodeJournal(files, forKey: .files)
    }
}
