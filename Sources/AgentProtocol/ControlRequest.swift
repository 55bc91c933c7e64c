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
    /// `restart`, `reload-service`, `stop`: the controller's fencing token (its lock acquisition's). The agent refuses
    /// a token lower than the highest it has seen for its service, and remembers a higher one on disk before it acts.
    /// Absent (an older controller, `ctl` by hand): not checked.
    public var fence: Int64?

    public init(command: String, binary: String? = nil, mode: String? = nil, fence: Int64? = nil) {
        self.command = command
        self.binary = binary
        self.mode = mode
        self.fence = fence
    }

    public static let commands = ["status", "restart", "reload-service", "stop", "reload", "upgrade-agent"]
    public static let restartModes = ["hot", "cold"]
    /// The commands that change the service, and so take a fencing token.
    public static let fencedCommands = ["restart", "reload-service", "stop"]

    /// Why the request's fields do not fit its command, or nil.
    public var problem: String? {
        if let fence {
            if !Self.fencedCommands.contains(command) {
                return "fence applies to \(Self.fencedCommands.joined(separator: ", ")) only"
            }
            if fence < 1 { return "fence must be a positive integer, not \(fence)" }
        }
        guard let mode else { return nil }
        if command != "restart" { return "mode applies to restart only" }
        if !Self.restartModes.contains(mode) {
            return "unknown restart mode '\(mode)'; use one of \(Self.restartModes.joined(separator: ", "))"
        }
        return nil
    }
}
