import Foundation

/// One phase of one host as `rollout show` reports it.
public struct PhaseEntry: Sendable, Hashable, Encodable {
    public var id: Int64
    public var name: String
    /// `running` until closed: a phase still `running` in an unfinished rollout is where the controller stopped.
    public var status: PhaseStatus
    public var startedAt: Date
    public var finishedAt: Date?
    public var error: String?
    public var detail: JournalJSON?

    /// Nil while running.
    public var duration: Duration? { JournalDuration.between(startedAt, finishedAt) }

    init(_ row: PhaseRow, parsingDetail: Bool = true) throws {
        id = row.id ?? 0
        name = row.name
        status = row.status
        startedAt = row.startedAt
        finishedAt = row.finishedAt
        error = row.error
        detail = parsingDetail ? try JournalJSON.fromColumn(row.detail) : nil
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationMS = "duration_ms"
        case error, detail
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeJournal(id, forKey: .id)
        try container.encodeJournal(name, forKey: .name)
        try container.encodeJournal(status, forKey: .status)
        try container.encodeJournal(startedAt, forKey: .startedAt)
        try container.encodeJournal(finishedAt, forKey: .finishedAt)
        try container.encodeJournal(duration, forKey: .durationMS)
        try container.encodeJournal(error, forKey: .error)
        try container.encodeJournal(detail, forKey: .detail)
    }
}
