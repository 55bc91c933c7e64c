import Foundation

/// Who holds (or wants) an inventory's lock: the controller's identity plus a token unique to this
/// acquisition, so that renewing or releasing is refused to anyone else, even a later process that
/// happens to get the same pid on the same host.
public struct LockOwner: Sendable, Hashable {
    public var identity: ControllerIdentity
    public var token: String
    /// When the owner's process started (``ProcessLiveness/startTime(_:)``), so that a later process that got the
    /// same pid is not mistaken for the holder; nil when unknown (then only the pid is checked).
    public var processStart: String?

    public init(identity: ControllerIdentity, token: String = UUID().uuidString, processStart: String? = nil) {
        self.identity = identity
        self.token = token
        self.processStart = processStart
    }

    /// This process as a lock owner, with its start time.
    public static func current(_ identity: ControllerIdentity) -> LockOwner {
        LockOwner(identity: identity, processStart: ProcessLiveness.startTime(identity.pid))
    }

    /// "alice@build-7 pid 4242 (CI github:123/1/deploy)".
    public var displayName: String { identity.displayName }
}
