import SSHClient

/// How one host's part of an operation ended, as the exit code and the reports see it.
public enum HostOutcome: Sendable, Equatable {
    /// The host did what was asked.
    case ok
    /// The host ran the operation and it failed.
    case failed(code: String, message: String)
    /// The host could not be reached: connect, host key or authentication.
    case unreachable(code: String, message: String)

    /// Classifies an error thrown while working on one host.
    public init(error: any Error) {
        if let ssh = error as? SSHError {
            self = ssh.isUnreachable
                ? .unreachable(code: ssh.code.rawValue, message: ssh.description)
                : .failed(code: ssh.code.rawValue, message: ssh.description)
        } else {
            self = .failed(code: "error", message: String(describing: error))
        }
    }

    public var isOK: Bool { self == .ok }
    public var isUnreachable: Bool { if case .unreachable = self { true } else { false } }
    public var errorCode: String? {
        switch self {
        case .ok: nil
        case .failed(let code, _), .unreachable(let code, _): code
        }
    }
    public var errorMessage: String? {
        switch self {
        case .ok: nil
        case .failed(_, let message), .unreachable(_, let message): message
        }
    }
}

extension SSHError {
    /// Whether the error means the host was never reached (as opposed to a failure on it).
    public var isUnreachable: Bool {
        [.connectTimeout, .connectFailed, .handshakeFailed, .hostKeyUnknown, .hostKeyChanged, .authenticationFailed]
            .contains(code)
    }
}
