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
