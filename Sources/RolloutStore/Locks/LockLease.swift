import Foundation

/// The lease one controller holds on one inventory: at most one per inventory.
///
/// The holder renews it with a heartbeat (``JournalStore/renewLock(inventory:owner:lease:now:)``) well
/// before `expiresAt`; a lease that has expired, or whose holder is a process that no longer exists on
/// this same host, is provably dead and may be taken over.
public struct LockLease: Sendable, Hashable, Encodable {
    public var inventory: String
    public var owner: LockOwner
    public var acquiredAt: Date
    /// The last renewal (the acquisition time until the first heartbeat).
    public var heartbeatAt: Date
    public var expiresAt: Date

    public func isExpired(at now: Date) -> Bool { expiresAt <= now }

    init(inventory: String, owner: LockOwner, acquiredAt: Date, heartbeatAt: Date, expiresAt: Date) {
        self.inventory = inventory
        self.owner = owner
        self.acquiredAt = acquiredAt
        self.heartbeatAt = heartbeatAt
        self.expiresAt = expiresAt
    }

    init(_ row: LockRow) {
        inventory = row.inventory
        owner = LockOwner(
            identity: ControllerIdentity(
                user: row.ownerUser, host: row.ownerHost, pid: row.ownerPid, ciJob: row.ownerCIJob),
            token: row.ownerToken)
        acquiredAt = row.acquiredAt
        heartbeatAt = row.heartbeatAt
        expiresAt = row.expiresAt
    }

    var row: LockRow {
        LockRow(
            inventory: inventory, ownerUser: owner.identity.user, ownerHost: owner.identity.host,
            ownerPid: owner.identity.pid, ownerCIJob: owner.identity.ciJob, ownerToken: owner.token,
            acquiredAt: acquiredAt, heartbeatAt: heartbeatAt, expiresAt: expiresAt)
    }

    /// What a lock event records about a holder.
    var eventDetail: JournalJSON {
        var members = owner.identity.journalMembers
        members["acquired_at"] = .string(JournalTime.string(from: acquiredAt))
        members["heartbeat_at"] = .string(JournalTime.string(from: heartbeatAt))
        members["expires_at"] = .string(JournalTime.string(from: expiresAt))
        return .object(members)
    }

    enum CodingKeys: String, CodingKey {
        case inventory, owner
        case acquiredAt = "acquired_at"
        case heartbeatAt = "heartbeat_at"
        case expiresAt = "expires_at"
    }

    /// The owner's identity (not its token: the token is a capability to release the lock).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeJournal(inventory, forKey: .inventory)
        try container.encodeJournal(owner.identity, forKey: .owner)
        try container.encodeJournal(acquiredAt, forKey: .acquiredAt)
        try container.encodeJournal(heartbeatAt, forKey: .heartbeatAt)
        try container.encodeJournal(expiresAt, forKey: .expiresAt)
    }
}
