import Foundation
import GRDB

/// A row of `event`: something that happened to a rollout or an inventory's lock.
struct EventRow: JournalRecord, Hashable {
    static let databaseTableName = "event"

    var id: Int64?
    var rolloutID: Int64?
    var inventory: String?
    var kind: String
    var message: String
    /// JSON text.
    var detail: String?
    var at: Date

    enum CodingKeys: String, CodingKey {
        case id
        case rolloutID = "rollout_id"
        case inventory, kind, message, detail, at
    }
}
