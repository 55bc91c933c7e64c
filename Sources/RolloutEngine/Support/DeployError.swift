/// Why a step of a rollout failed on a host. The code is stable (it appears in the journal, the JSON events and
/// the JUnit report); the message says what happened and, where it can, what to do.
public struct DeployError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A remote command exited non-zero or was killed.
        public static let command = Code(rawValue: "command-failed")
        /// The host could not be reached.
        public static let unreachable = Code(rawValue: "unreachable")
        /// The uploaded artifact does not match its digest, or the transfer failed.
        public static let upload = Code(rawValue: "upload-failed")
        /// The agent refused or failed the restart (the old release keeps serving).
        public static let restart = Code(rawValue: "restart-failed")
        /// A `config` file's validation command refused it on the host (nothing was switched).
        public static let validation = Code(rawValue: "validation-failed")
        /// The service did not confirm a reload, or rejected its new configuration (the previous one is put back).
        public static let reload = Code(rawValue: "reload-failed")
        /// The health checks did not pass before their deadline.
        public static let health = Code(rawValue: "health-failed")
        /// The gateway could not drain or restore the host.
        public static let gateway = Code(rawValue: "gateway-failed")
        /// The operator interrupted the rollout.
        public static let interrupted = Code(rawValue: "interrupted")
        /// The lock was lost (someone took it over): stop changing hosts.
        public static let lockLost = Code(rawValue: "lock-lost")
        /// Something on the controller failed.
        public static let local = Code(rawValue: "local-error")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// Classifies any error met while working on a host.
    public init(_ error: any Error) {
        if let deploy = error as? DeployError {
            self = deploy
            return
        }
        switch HostOutcome(error: error) {
        case .unreachable(_, let message): self.init(.unreachable, message)
        case .failed(_, let message): self.init(.command, message)
        case .ok: self.init(.local, String(describing: error))
        }
    }
}
