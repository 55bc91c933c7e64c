/// The kind of a journal event: a dotted name, stable once published. Callers may define their own.
public struct EventKind: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// A lock whose holder was provably dead was taken over (detail: previous owner and reason).
    public static let lockTakeover = EventKind("lock.takeover")
    /// `rollout lock release --force` removed a lock (detail: the previous owner and who released it).
    public static let lockForceRelease = EventKind("lock.force_release")
    /// A running rollout's lease was lost (a renewal found the lock released or held by another controller) and
    /// the rollout stopped (detail: `key`, `owner`, `reason`, `exit_code`).
    public static let lockLost = EventKind("lock.lost")
    /// The canary batch was healthy and the rollout proceeded to the other batches.
    public static let canaryPromoted = EventKind("canary.promoted")
    /// The controller received Ctrl-C or SIGTERM and stopped (detail: `immediate`, `exit_code`).
    public static let interrupted = EventKind("rollout.interrupted")
    /// `rollout resume` took over an unfinished rollout.
    public static let resumed = EventKind("rollout.resumed")
}
