import Foundation
import GRDB

/// A row of `inventory_lock`: the lease one controller holds on one inventory.
struct LockRow: JournalRecord, Hashable {
    static let databaseTableName = "inventory_lock"

    var inventory: String
    var ownerUser: String
    var ownerHost: String
    var ownerPid: Int32
    var ownerCIJob: String?
    var ownerToken: String
    /// `owner_started` (migration `v3-lock-identity`): the owner process's start time, nil in older rows.
    var ownerStarted: String?
    var acquiredAt: Date
    var heartbeatAt: Date
    var expiresAt: Date
    /// `fence` (migration `v4-lock-fence`): the lease's fencing token, nil in rows of older controllers.
    var fence: Int64?

    enum CodingKeys: String, CodingKey {
        case inventory
        case ownerUser = "owner_user"
        case ownerHost = "owner_host"
        case ownerPid = "owner_pid"
        case ownerCIJob = "owner_ci_job"
        case ownerToken = "owner_token"
        case ownerStarted = "owner_started"
        case acquiredAt = "acquired_at"
        case heartbeatAt = "heartbeat_at"
        case expiresAt = "expires_at"
        case fence
    }
}
