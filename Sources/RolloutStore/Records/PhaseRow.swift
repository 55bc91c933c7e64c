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
}
