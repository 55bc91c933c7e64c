import Foundation

/// How a generation is stopped.
public struct StopConfig: Codable, Sendable, Equatable {
    /// The signal that asks the service to drain and exit (`TERM`, `INT`, `QUIT`, `USR1`, ...).
    public var signal: String = "TERM"
    /// After this the generation's whole process group gets SIGKILL.
    public var drainTimeout: ConfigDuration = .seconds(30)

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case signal
        case drainTimeout = "drain_timeout"
    }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        signal = try c.decodeIfPresent(String.self, forKey: .signal) ?? "TERM"
        drainTimeout = try c.decodeIfPresent(ConfigDuration.self, forKey: .drainTimeout) ?? .seconds(30)
    }
}

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
        case backoffInitial = "backoff_initial", backoffMax = "backoff_max", resetAfter = "reset_after"
    }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        policy = try c.decodeIfPresent(Policy.self, forKey: .policy) ?? .always
        backoffInitial = try c.decodeIfPresent(ConfigDuration.self, forKey: .backoffInitial)
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

/// Where the service's stdout and stderr go.
public struct LogConfig: Codable, Sendable, Equatable {
    /// The log file (appended; each line tagged with time, generation and pid). Without it lines go to
    /// the agent's stderr, tagged the same way.
    public var path: String?
    /// How many of a generation's last lines are kept for error reports.
    public var tailLines: Int = 40

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path
        case tailLines = "tail_lines"
    }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(String.self, forKey: .path)
        tailLines = try c.decodeIfPresent(Int.self, forKey: .tailLines) ?? 40
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Throws when the mapping being decoded has a key `Keys` does not know.
func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ decoder: Decoder, _: Keys.Type) throws {
    let container = try decoder.container(keyedBy: AnyKey.self)
    let known = Set(Keys.allCases.map(\.stringValue))
    for key in container.allKeys where !known.contains(key.stringValue) {
        throw DecodingError.dataCorrupted(DecodingError.Context(
            codingPath: decoder.codingPath + [key],
            debugDescription: "unknown key '\(key.stringValue)'; allowed: \(known.sorted().joined(separator: ", "))"))
    }
}
