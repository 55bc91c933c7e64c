import Foundation
import RolloutJSON

/// The lease one controller holds on one inventory: at most one per inventory.
///
/// The holder renews it with a heartbeat (``JournalStore/renewLock(inventory:owner:lease:now:)``) well
/// before `expiresAt`. It may be taken over only from a holder that is provably dead (on this same host: its
/// process is gone, or its pid belongs to a later process) or silent (on another host: the lease expired).
public struct LockLease: Sendable, Hashable, Encodable {
    /// The fleet's identity the lock is keyed by: the canonical path of the inventory file
    /// (``InventoryIdentity``); a typed path in rows written before `v3-lock-identity`.
    public var inventory: String
    public var owner: LockOwner
    public var acquiredAt: Date
    /// The last renewal (the acquisition time until the first heartbeat).
    public var heartbeatAt: Date
    public var expiresAt: Date
    /// The fencing token of this acquisition (``FencingToken``), passed to the agents with every request that changes
    /// the service; nil for a lock taken by a controller older than `v4-lock-fence`.
    public var fence: Int64?

    public func isExpired(at now: Date) -> Bool { expiresAt <= now }

    init(
        inventory: String, owner: LockOwner, acquiredAt: Date, heartbeatAt: Date, expiresAt: Date, fence: Int64? = nil
    ) {
        self.inventory = inventory
        self.owner = owner
        self.acquiredAt = acquiredAt
        self.heartbeatAt = heartbeatAt
        self.expiresAt = expiresAt
        self.fence = fence
    }

    init(_ row: LockRow) {
        inventory = row.inventory
        owner = LockOwner(
            identity: ControllerIdentity(
                user: row.ownerUser, host: row.ownerHost, pid: row.ownerPid, ciJob: row.ownerCIJob),
            token: row.ownerToken, processStart: row.ownerStarted)
        acquiredAt = row.acquiredAt
        heartbeatAt = row.heartbeatAt
        expiresAt = row.expiresAt
        fence = row.fence
    }

    var row: LockRow {
        LockRow(
            inventory: inventory, ownerUser: owner.identity.user, ownerHost: owner.identity.host,
            ownerPid: owner.identity.pid, ownerCIJob: owner.identity.ciJob, ownerToken: owner.token,
            ownerStarted: owner.processStart, acquiredAt: acquiredAt, heartbeatAt: heartbeatAt, expiresAt: expiresAt,
            fence: fence)
    }

    /// What a lock event records about a holder.
    var eventDetail: JSONValue {
        var members = owner.identity.journalMembers
        members["acquired_at"] = .string(JournalTime.string(from: acquiredAt))
        members["heartbeat_at"] = .string(JournalTime.string(from: heartbeatAt))
        members["expires_at"] = .string(JournalTime.string(from: expiresAt))
        if let fence { members["fence"] = .int(fence) }
        return .object(members)
    }

    enum CodingKeys: String, CodingKey {
        case inventory, owner
        case acquiredAt = "acquired_at"
        case heartbeatAt = "heartbeat_at"
        case expiresAt = "expires_at"
        case fence
    }

    /// The owner's identity (not its token: the token is a capability to release the lock).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeJournal(inventory, forKey: .inventory)
        try container.encodeJournal(owner.identity, forKey: .owner)
        try container.encodeJournal(acquiredAt, forKey: .acquiredAt)
        try container.encodeJournal(heartbeatAt, forKey: .heartbeatAt)
        try container.encodeJournal(expiresAt, forKey: .expiresAt)
        try container.encodeJournal(fence, forKey: .fence)
    }
}

extension LockLease {
    /// Why a controller on `host` may take this lock over now, nil when it may not:
    ///
    /// - the holder ran on `host`: only when it is provably dead — its process is gone (`isProcessAlive` false)
    ///   or its pid now belongs to a later process (`processStart` differs from the recorded start). A holder that
    ///   is alive keeps the lock even with its lease expired: a stopped (Ctrl-Z, SIGSTOP) or busy controller
    ///   resumes its rollout where it was, and taking over would have two controllers change the fleet;
    /// - the holder ran on another host: only when it is silent, its lease expired.
    public func takeoverReason(
        at now: Date, fromHost host: String, isProcessAlive: (Int32) -> Bool = ProcessLiveness.system,
        processStart: (Int32) -> String? = ProcessLiveness.startTime
    ) -> TakeoverReason? {
        guard owner.identity.host == host else { return isExpired(at: now) ? .leaseExpired : nil }
        let pid = owner.identity.pid
        if !isProcessAlive(pid) { return .ownerProcessGone }
        if let recorded = owner.processStart, let started = processStart(pid), started != recorded {
            return .ownerPidReused
        }
        return nil
    }
}
