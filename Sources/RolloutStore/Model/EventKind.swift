/// The kind of a journal event: a dotted name, stable once published. Every kind rollout writes is one of the
/// constants below (the one list of them); `init(rawValue:)` reads any kind back from the journal, one written by a
/// newer version included.
public struct EventKind: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    private init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// On a rollout: the lock its run holds, with the acquisition's fencing token (detail: `key`, `fence`, `owner`);
    /// one per run (a resume is a new acquisition).
    public static let lockAcquired = EventKind("lock.acquired")
    /// A lock whose holder was provably dead was taken over (detail: previous owner and reason).
    public static let lockTakeover = EventKind("lock.takeover")
    /// `rollout lock release --force` removed a lock (detail: the previous owner and who released it).
    public static let lockForceRelease = EventKind("lock.force_release")
    /// A running rollout's lease was lost (a renewal found the lock released or held by another controller) and
    /// the rollout stopped (detail: `key`, `owner`, `reason`, `exit_code`).
    public static let lockLost = EventKind("lock.lost")
    /// The canary batch was healthy and the rollout proceeded to the other batches.
    public static let canaryPromoted = EventKind("canary.promoted")
    /// The canary batch finished and its bake began (detail: `until`, the journal time it ends, and `seconds`).
    public static let canaryBaking = EventKind("canary.baking")
    /// The bake time passed and the canaries' health checks were run again (detail: `failed`, the hosts that no
    /// longer passed).
    public static let canaryBaked = EventKind("canary.baked")
    /// The canary is verified and baked; the rollout waits for `rollout promote` (`promote: manual`).
    public static let canaryWaiting = EventKind("canary.waiting")
    /// A `before_rollout` hook is running on the controller (`state: running`, write-ahead) or finished (`state`,
    /// `status`, output tail); `index` is its position among the playbook's hooks.
    public static let hookBeforeRollout = EventKind("hook.before_rollout")
    /// The same for an `after_rollout` hook.
    public static let hookAfterRollout = EventKind("hook.after_rollout")
    /// `rollout resume` found the rollout past its failure budget and rolls back the hosts it had in flight.
    public static let resumeRollingBack = EventKind("resume.rolling_back")
    /// `rollout deploy --simulate`: the hosts are simulated, nothing was contacted.
    public static let simulation = EventKind("simulation")
    /// The controller received Ctrl-C or SIGTERM and stopped (detail: `immediate`, `exit_code`).
    public static let interrupted = EventKind("rollout.interrupted")
    /// `rollout resume` took over an unfinished rollout.
    public static let resumed = EventKind("rollout.resumed")
    /// On an unfinished rollout: a newer rollout of its inventory started (detail: `by`, its id); it cannot be
    /// resumed any more.
    public static let superseded = EventKind("rollout.superseded")
    /// On the new rollout: it superseded an unfinished one (detail: `rollout`, its id; `restored`, the hosts that
    /// one had left drained and that were put back in the gateway; `left_drained`, those that could not be).
    public static let supersedes = EventKind("rollout.supersedes")
}
