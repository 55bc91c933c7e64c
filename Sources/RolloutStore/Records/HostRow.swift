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

    /// The columns `init(row:)` reads, in order; queries that fetch `HostRow` select exactly these.
    static let selection = """
        id, rollout_id, position, batch, name, address, from_version, to_version, strategy, status, error, updated_at
        """

    init(row: Row) throws {
        id = try row.decode(atIndex: 0)
        rolloutID = try row.decode(atIndex: 1)
        position = try row.decode(atIndex: 2)
        batch = try row.decode(atIndex: 3)
        name = try row.decode(atIndex: 4)
        address = try row.decode(atIndex: 5)
        fromVersion = try row.decode(atIndex: 6)
        toVersion = try row.decode(atIndex: 7)
        strategy = try row.decode(atIndex: 8)
        status = try row.journalStatus(atIndex: 9)
        error = try row.decode(atIndex: 10)
        updatedAt = try row.journalDate(atIndex: 11)
    }
}

extension HostRow {
    init(
        id: Int64?, rolloutID: Int64, position: Int, batch: Int, name: String, address: String?, fromVersion: String?,
        toVersion: String, strategy: String?, status: HostStatus, error: String?, updatedAt: Date
    ) {
        self.id = id
        self.rolloutID = rolloutID
        self.position = position
        self.batch = batch
        self.name = name
        self.address = address
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.strategy = strategy
        self.status = status
        self.error = error
        self.updatedAt = updatedAt
    }
}
