import Foundation
import GRDB

/// A row of `phase`: one step on one host, written `running` before the step and closed after it.
struct PhaseRow: JournalRecord, Hashable {
    static let databaseTableName = "phase"

    var id: Int64?
    var rolloutID: Int64
    var hostID: Int64
    var name: String
    var status: PhaseStatus
    var startedAt: Date
    var finishedAt: Date?
    /// JSON text.
    var detail: String?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case id
        case rolloutID = "rollout_id"
        case hostID = "host_id"
        case name, status
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case detail, error
    }

    /// The columns `init(row:)` reads, in order; queries that fetch `PhaseRow` select exactly these.
    static let selection = "id, rollout_id, host_id, name, status, started_at, finished_at, detail, error"

    init(row: Row) throws {
        id = try row.decode(atIndex: 0)
        rolloutID = try row.decode(atIndex: 1)
        hostID = try row.decode(atIndex: 2)
        name = try row.decode(atIndex: 3)
        status = try row.journalStatus(atIndex: 4)
        startedAt = try row.journalDate(atIndex: 5)
        finishedAt = try row.journalDateIfPresent(atIndex: 6)
        detail = try row.decode(atIndex: 7)
        error = try row.decode(atIndex: 8)
    }
}

extension PhaseRow {
    init(
        id: Int64?, rolloutID: Int64, hostID: Int64, name: String, status: PhaseStatus, startedAt: Date,
        finishedAt: Date?, detail: String?, error: String?
    ) {
        self.id = id
        self.rolloutID = rolloutID
        self.hostID = hostID
        self.name = name
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.detail = detail
        self.error = error
    }
}
