import Foundation

/// A request on the control socket: one JSON object on one line, e.g. `{"command":"restart"}`.
public struct ControlRequest: Codable, Sendable, Equatable {
    /// `status`, `restart`, `reload-service`, `stop`, `reload` or `upgrade-agent`.
    public var command: String
    /// `upgrade-agent`: the new agent binary.
    public var binary: String?

    public init(command: String, binary: String? = nil) {
        self.command = command
        self.binary = binary
    }

    public static let commands = ["status", "restart", "reload-service", "stop", "reload", "upgrade-agent"]
}
