import Foundation

/// One line of `rollout history`: a rollout with its host counts and duration.
public struct RolloutSummary: Sendable, Hashable, Encodable {
    public var id: Int64
    public var inventory: String
    public var playbook: String
    public var version: String
    public var previousVersion: String?
    public var strategy: String?
    public var status: RolloutStatus
    public var startedBy: ControllerIdentity
    public var startedAt: Date
    public var finishedAt: Date?
    public var exitCode: Int32?
    public var error: String?
    public var hostCounts: HostCounts

    /// Wall time from start to finish; nil while the rollout is unfinished.
    public var duration: Duration? { JournalDuration.between(startedAt, finishedAt) }

    init(_ row: RolloutRow, counts: HostCounts) {
        id = row.id ?? 0
        inventory = row.inventory
        playbook = row.playbook
        version = row.version
        previousVersion = row.previousVersion
        strategy = row.strategy
        status = row.status
        startedBy = row.startedBy
        startedAt = row.startedAt
        finishedAt = row.finishedAt
        exitCode = row.exitCode
        error = row.error
        hostCounts = counts
    }

    enum CodingKeys: String, CodingKey {
        case id, inventory, playbook, version
        case previousVersion = "previous_version"
        case strategy, status
        case startedBy = "started_by"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationMS = "duration_ms"
        case exitCode = "exit_code"
        case error
        case hostCounts = "host_counts"
    }

    // Written by hand so that absent values are `null` rather than missing keys: the JSON schema is stable.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeJournal(id, forKey: .id)
        try container.encodeJournal(inventory, forKey: .inventory)
        try container.encodeJournal(playbook, forKey: .playbook)
        try container.encodeJournal(version, forKey: .version)
        try container.encodeJournal(previousVersion, forKey: .previousVersion)
        try container.encodeJournal(strategy, forKey: .strategy)
        try container.encodeJournal(status, forKey: .status)
        try container.encodeJournal(startedBy, forKey: .startedBy)
        try container.encodeJournal(startedAt, forKey: .startedAt)
        try container.encodeJournal(finishedAt, forKey: .finishedAt)
        try container.encodeJournal(duration, forKey: .durationMS)
        try container.encodeJournal(exitCode, forKey: .exitCode)
        try container.encodeJournal(error, forKey: .error)
        try container.encodeJournal(hostCounts, forKey: .hostCounts)
    }
}

/// How many hosts of a rollout are in each state.
public struct HostCounts: Sendable, Hashable, Encodable {
    public var total = 0
    /// `succeeded` or `unchanged`: on the target version.
    public var ok = 0
    public var failed = 0
    public var rolledBack = 0
    public var running = 0
    public var pending = 0
    public var skipped = 0

    public init(
        total: Int = 0, ok: Int = 0, failed: Int = 0, rolledBack: Int = 0, running: Int = 0,
        pending: Int = 0, skipped: Int = 0
    ) {
        self.total = total
        self.ok = ok
        self.failed = failed
        self.rolledBack = rolledBack
        self.running = running
        self.pending = pending
        self.skipped = skipped
    }

    enum CodingKeys: String, CodingKey {
        case total, ok, failed
        case rolledBack = "rolled_back"
        case running, pending, skipped
    }
}

/// Durations between journal timestamps, at the journal's millisecond resolution.
enum JournalDuration {
    static func between(_ start: Date?, _ end: Date?) -> Duration? {
        guard let start, let end else { return nil }
        return .milliseconds(JournalTime.milliseconds(end) - JournalTime.milliseconds(start))
    }

    static func adding(_ duration: Duration, to date: Date) -> Date {
        date.addingTimeInterval(seconds(duration))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func milliseconds(_ duration: Duration?) -> Int64? {
        guard let duration else { return nil }
        return duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
