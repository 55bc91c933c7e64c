/// A failed SSH operation: a stable ``code``, the host, and a message that says what to do.
///
/// Failures inside libssh2 also carry the library's return code (``nativeCode``) and the C function that
/// returned it (``function``); the message then includes libssh2's own explanation.
public struct SSHError: Error, CustomStringConvertible, Sendable {
    /// A stable identifier of the kind of failure; new codes may be added.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// TCP connect, banner, key exchange or authentication did not finish within the connect timeout.
        public static let connectTimeout = Code(rawValue: "connect-timeout")
        /// The TCP connection (or a bastion's forward) could not be made.
        public static let connectFailed = Code(rawValue: "connect-failed")
        /// The SSH banner or key exchange failed.
        public static let handshakeFailed = Code(rawValue: "handshake-failed")
        /// The host key is not in `known_hosts` (strict checking).
        public static let hostKeyUnknown = Code(rawValue: "host-key-unknown")
        /// The host key differs from the one in `known_hosts`.
        public static let hostKeyChanged = Code(rawValue: "host-key-changed")
        /// The host key is marked `@revoked` in `known_hosts`.
        public static let hostKeyRevoked = Code(rawValue: "host-key-revoked")
        /// No key was accepted for the user.
        public static let authenticationFailed = Code(rawValue: "authentication-failed")
        /// A command (or upload) did not finish within its timeout.
        public static let commandTimeout = Code(rawValue: "command-timeout")
        /// A channel could not be opened or failed while in use.
        public static let channelFailed = Code(rawValue: "channel-failed")
        /// An SFTP operation failed.
        public static let sftpFailed = Code(rawValue: "sftp-failed")
        /// An uploaded file's SHA-256 on the host is not the expected one.
        public static let checksumMismatch = Code(rawValue: "checksum-mismatch")
        /// The calling task was cancelled; a command's channel was closed, an upload's temporary file deleted.
        public static let cancelled = Code(rawValue: "cancelled")
        /// The connection is closed or broken; connect again.
        public static let disconnected = Code(rawValue: "disconnected")
        /// A local file could not be read.
        public static let localFile = Code(rawValue: "local-file")
    }

    public var code: Code
    /// `address:port` of the host the operation was for.
    public var host: String
    /// What happened and what to do about it.
    public var message: String
    /// The libssh2 return code, when libssh2 reported the failure.
    public var nativeCode: Int32?
    /// The libssh2 function that failed.
    public var function: String?

    public init(_ code: Code, host: String, _ message: String, nativeCode: Int32? = nil, function: String? = nil) {
        self.code = code
        self.host = host
        self.message = message
        self.nativeCode = nativeCode
        self.function = function
    }

    public var description: String {
        var text = "\(host): \(code): \(message)"
        if let function, let nativeCode { text += " [\(function) returned \(nativeCode)]" }
        return text
    }
}
