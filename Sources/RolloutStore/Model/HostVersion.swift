import Foundation

/// The version a host last ended up on according to the journal, and the rollout that put it there.
public struct HostVersion: Sendable, Hashable, Encodable {
    public var host: String
    public var version: String
    public var rolloutID: Int64
    /// When the journal last changed that host's status in that rollout.
    public var at: Date

    public init(host: String, version: String, rolloutID: Int64, at: Date) {
        self.host = host
        self.version = version
        self.rolloutID = rolloutID
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case host, version
        case rolloutID = "rollout_id"
        case at
    }
}
