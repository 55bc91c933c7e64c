import Foundation
import RolloutJSON

/// What acquiring a lock does with the row found under its key: the takeover rules of
/// ``LockLease/takeoverReason(at:fromHost:isProcessAlive:processStart:)`` as one pure decision that both journal
/// backends carry out in their acquisition transaction.
enum LockStep: Equatable {
    /// No row: insert ours.
    case insert
    /// Our own row (same token): refresh it, keeping its acquisition time.
    case renew(LockLease)
    /// Another holder, provably dead or silent: replace the row and record a `lock.takeover` event.
    case takeOver(previous: LockLease, reason: TakeoverReason)
    /// Another holder who may still be working: change nothing.
    case held(LockLease)

    static func decide(
        current: LockLease?, mine: LockLease, isProcessAlive: (Int32) -> Bool, processStart: (Int32) -> String?
    ) -> LockStep {
        guard let current else { return .insert }
        if current.owner.token == mine.owner.token {
            var renewed = mine
            renewed.acquiredAt = current.acquiredAt
            renewed.fence = current.fence
            return .renew(renewed)
        }
        guard
            let reason = current.takeoverReason(
                at: mine.heartbeatAt, fromHost: mine.owner.identity.host, isProcessAlive: isProcessAlive,
                processStart: processStart)
        else { return .held(current) }
        return .takeOver(previous: current, reason: reason)
    }

    /// The lease a new acquisition asks for at `now` (rounded to what the journal stores, so the lease returned
    /// equals the one read back later).
    static func lease(inventory: String, owner: LockOwner, lease: Duration, now: Date) -> LockLease {
        let now = JournalTime.rounded(now)
        return LockLease(
            inventory: inventory, owner: owner, acquiredAt: now, heartbeatAt: now,
            expiresAt: JournalTime.rounded(JournalDuration.adding(lease, to: now)))
    }

    /// The `lock.takeover` event's message and detail.
    static func takeoverEvent(of previous: LockLease, by mine: LockLease, reason: TakeoverReason)
        -> (message: String, detail: JSONValue)
    {
        (
            "lock of \(mine.inventory) taken over from \(previous.owner.displayName) "
                + "(\(reason.rawValue)) by \(mine.owner.displayName)",
            .object([
                "previous": previous.eventDetail, "reason": .string(reason.rawValue), "new_owner": mine.eventDetail,
                "previous_key": .string(previous.inventory),
            ])
        )
    }

    /// The `lock.force_release` event's message and detail.
    static func forceReleaseEvent(of previous: LockLease, releasedBy: ControllerIdentity)
        -> (message: String, detail: JSONValue)
    {
        (
            "lock of \(previous.inventory) held by \(previous.owner.displayName) "
                + "force-released by \(releasedBy.displayName)",
            .object(["previous": previous.eventDetail, "released_by": releasedBy.journalJSON])
        )
    }
}
