/// A load generator or demo-service fixture that cannot run as configured.
///
/// `code` is stable (tests and scripts may match on it); `message` says what to change.
public struct LoadGeneratorError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: RawRepresentable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The target is not on this machine: only `127.0.0.0/8` and Unix sockets are allowed.
        public static let nonLoopbackTarget = Code(rawValue: "non-loopback-target")
        /// A setting is out of range (concurrency, duration, port, path, share of slow requests).
        public static let invalidConfiguration = Code(rawValue: "invalid-configuration")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
