import Foundation
import GRDB

/// A row of `rollout_host`: one host within one rollout, and where it stands.
struct HostRow: JournalRecord, Hashable {
    static let databaseTableName = "rollout_host"

    var id: Int64?
    var rolloutID: Int64
    var position: Int
    var batch: Int
    var name: String
    var address: String?
    var fromVersion: String?
    var toVersion: String
    var strategy: String?
    var status: HostStatus
    var error: String?
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id
        case rolloutID = "rollout_id"
        case position, batch, name, address
        case fromVersion = "from_version"
        case toVersion = "to_version"
        case strategy, status, error
        case updatedAt = "updated_at"
    }
}
