import Foundation
import RolloutJSON
import RolloutModel

/// One phase of one host as `rollout show` reports it.
public struct PhaseEntry: Sendable, Hashable, Encodable {
    public var id: Int64
    /// The phase's name as journaled (a ``Phase``'s raw value; a journal written by a newer rollout may hold one
    /// this version does not know, kept as it is).
    public var name: String
    /// The phase, nil for a name this version does not know.
    public var phase: Phase? { Phase(rawValue: name) }
    /// `running` until closed: a phase still `running` in an unfinished rollout is where the controller stopped.
    public var status: PhaseStatus
    public var startedAt: Date
    public var finishedAt: Date?
    public var error: String?
    public var detail: JSONValue?

    /// Nil while running.
    public var duration: Duration? { JournalDuration.between(startedAt, finishedAt) }

    init(_ row: PhaseRow, parsingDetail: Bool = true) throws {
        id = row.id ?? 0
        name = row.name
        status = row.status
        startedAt = row.startedAt
        finishedAt = row.finishedAt
        error = row.error
        detail = parsingDetail ? try JSONValue.fromColumn(row.detail) : nil
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
