import Foundation

/// A request on the control socket: one JSON object on one line, e.g. `{"command":"restart","mode":"cold"}`.
public struct ControlRequest: Codable, Sendable, Equatable {
    /// `status`, `restart`, `reload-service`, `stop`, `reload` or `upgrade-agent`.
    public var command: String
    /// `upgrade-agent`: the new agent binary.
    public var binary: String?
    /// `restart`: `hot` (the default: the new generation starts beside the old one) or `cold` (the old
    /// generation stops first, then the new one starts on the same sockets).
    public var mode: String?

    public init(command: String, binary: String? = nil, mode: String? = nil) {
        self.command = command
        self.binary = binary
        self.mode = mode
    }

    public static let commands = ["status", "restart", "reload-service", "stop", "reload", "upgrade-agent"]
    public static let restartModes = ["hot", "cold"]

    /// Why the request's fields do not fit its command, or nil.
    public var problem: String? {
        guard let mode else { return nil }
        if command != "restart" { return "mode applies to restart only" }
        if !Self.restartModes.contains(mode) {
            return "unknown restart mode '\(mode)'; use one of \(Self.restartModes.joined(separator: ", "))"
        }
        return nil
    }
}
