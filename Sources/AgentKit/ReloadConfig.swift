import Foundation

/// How `ctl reload-service` asks the service to reload its configuration without a restart.
public struct ReloadConfig: Codable, Sendable, Equatable {
    /// The signal sent to the serving generation's main process (`HUP`, `USR1`, ...).
    public var signal: String = "HUP"
    /// How long the service has to confirm (`RELOADING=1` then `READY=1`, or a passing readiness probe).
    public var timeout: ConfigDuration = .seconds(30)

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case signal, timeout
    }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        signal = try c.decodeIfPresent(String.self, forKey: .signal) ?? "HUP"
        timeout = try c.decodeIfPresent(ConfigDuration.self, forKey: .timeout) ?? .seconds(30)
    }
}
