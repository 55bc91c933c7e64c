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
