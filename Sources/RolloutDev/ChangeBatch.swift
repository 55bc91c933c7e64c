/// Collects file changes until they settle: a batch is due once no change arrived for `quiet` milliseconds (or
/// `maxWait` after its first change, so a file rewritten without pause still gets built). Times are monotonic
/// milliseconds supplied by the caller. Pure.
public struct ChangeBatch: Sendable {
    public let quiet: Int64
    public let maxWait: Int64
    public private(set) var paths: Set<String> = []
    private var first: Int64?
    private var last: Int64?

    public init(quiet: Int64, maxWait: Int64 = 2_000) {
        self.quiet = quiet
        self.maxWait = max(maxWait, quiet)
    }

    public var isEmpty: Bool { paths.isEmpty }

    /// Adds changed paths seen at `now`.
    public mutating func add(_ changed: some Sequence<String>, at now: Int64) {
        var any = false
        for path in changed {
            paths.insert(path)
            any = true
        }
        guard any else { return }
        if first == nil { first = now }
        last = now
    }

    /// When the batch becomes due, or nil while it is empty.
    public var deadline: Int64? {
        guard let first, let last else { return nil }
        return min(last + quiet, first + maxWait)
    }

    /// The batch's paths if it is due at `now` (and empties it), else nil.
    public mutating func takeIfDue(at now: Int64) -> Set<String>? {
        guard let deadline, now >= deadline else { return nil }
        defer {
            paths = []
            first = nil
            last = nil
        }
        return paths
    }
}
