/// What happens when the running generation exits on its own.
public struct RestartConfig: Codable, Sendable, Equatable {
    public enum Policy: String, Codable, Sendable, CaseIterable {
        /// Restart after any exit the agent did not ask for.
        case always
        /// Restart unless it exited with status 0.
        case onFailure = "on-failure"
        /// Never restart; the agent keeps its listeners and waits for `ctl restart`.
        case never
    }

    public var policy: Policy = .always
    /// The first delay; doubled after each consecutive crash up to `backoffMax`.
    public var backoffInitial: ConfigDuration = ConfigDuration(milliseconds: 500)
    public var backoffMax: ConfigDuration = .seconds(30)
    /// A generation that stayed up this long resets the crash streak.
    public var resetAfter: ConfigDuration = .seconds(60)

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case policy
        case backoffInitial = "backoff_initial"
        case backoffMax = "backoff_max"
        case resetAfter = "reset_after"
    }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        policy = try c.decodeIfPresent(Policy.self, forKey: .policy) ?? .always
        backoffInitial =
            try c.decodeIfPresent(ConfigDuration.self, forKey: .backoffInitial)
            ?? ConfigDuration(milliseconds: 500)
        backoffMax = try c.decodeIfPresent(ConfigDuration.self, forKey: .backoffMax) ?? .seconds(30)
        resetAfter = try c.decodeIfPresent(ConfigDuration.self, forKey: .resetAfter) ?? .seconds(60)
    }

    /// The delay before restart number `streak` (1-based) of a crash streak.
    public func backoff(streak: Int) -> Int {
        var delay = max(backoffInitial.milliseconds, 1)
        for _ in 1..<max(streak, 1) where delay < backoffMax.milliseconds { delay *= 2 }
        return min(delay, max(backoffMax.milliseconds, 1))
    }
}
