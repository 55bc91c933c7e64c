import Foundation

/// Who holds (or wants) an inventory's lock: the controller's identity plus a token unique to this
/// acquisition, so that renewing or releasing is refused to anyone else, even a later process that
/// happens to get the same pid on the same host.
public struct LockOwner: Sendable, Hashable {
    public var identity: ControllerIdentity
    public var token: String

    public init(identity: ControllerIdentity, token: String = UUID().uuidString) {
        self.identity = identity
        self.token = token
    }

    /// "alice@build-7 pid 4242 (CI github:123/1/deploy)".
    public var displayName: String { identity.displayName }
}
