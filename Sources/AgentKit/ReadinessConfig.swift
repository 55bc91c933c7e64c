/// How the agent decides that a new generation is ready.
public struct ReadinessConfig: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// sd_notify `READY=1` on the generation's `NOTIFY_SOCKET`.
        case notify
        /// `GET path` until a 2xx answer.
        case http
        /// A TCP (or Unix socket) connect succeeds.
        case tcp
        /// A fixed delay after the start.
        case delay
    }

    public var type: Kind = .notify
    /// The deadline: a generation not ready by then is killed and the restart reported as failed.
    public var timeout: ConfigDuration = .seconds(30)
    /// `http`/`tcp`: `host:port` or a Unix socket path; `{generation}` and `{pid}` are substituted.
    public var address: String?
    /// `http`: the path to GET.
    public var path: String = "/health"
    /// `http`: a response header that must equal the new generation's pid (e.g. `X-Pid`), so a probe
    /// answered by the old generation through the shared listener does not count.
    public var pidHeader: String?
    /// `http`/`tcp`: pause between probes.
    public var interval: ConfigDuration = ConfigDuration(milliseconds: 200)
    /// `delay`: how long to wait.
    public var delay: ConfigDuration = .seconds(1)

    public init(type: Kind = .notify, timeout: ConfigDuration = .seconds(30)) {
        self.type = type
        self.timeout = timeout
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, timeout, address, path, interval, delay
        case pidHeader = "pid_header"
    }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(Kind.self, forKey: .type) ?? .notify
        timeout = try c.decodeIfPresent(ConfigDuration.self, forKey: .timeout) ?? .seconds(30)
        address = try c.decodeIfPresent(String.self, forKey: .address)
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? "/health"
        pidHeader = try c.decodeIfPresent(String.self, forKey: .pidHeader)
        interval = try c.decodeIfPresent(ConfigDuration.self, forKey: .interval) ?? ConfigDuration(milliseconds: 200)
        delay = try c.decodeIfPresent(ConfigDuration.self, forKey: .delay) ?? .seconds(1)
    }
}
