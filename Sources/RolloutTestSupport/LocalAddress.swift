import Foundation

/// An address a test fixture connects or binds to: IPv4 loopback or a Unix socket path
/// (`@name` for the abstract namespace).
///
/// Fixtures only ever talk to this machine, so an IPv4 address must be in `127.0.0.0/8`; host
/// names are not resolved at all (a resolver could send `localhost` anywhere).
public enum LocalAddress: Sendable, Hashable, CustomStringConvertible {
    case loopback(host: String, port: Int)
    case unix(path: String)

    public var description: String {
        switch self {
        case .loopback(let host, let port): "\(host):\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }

    /// Checks that `host` is a dotted IPv4 address in `127.0.0.0/8` and `port` is 1...65535
    /// (0 also when `allowPortZero`, for binding to a free port).
    static func validatedLoopback(host: String, port: Int, allowPortZero: Bool = false) throws -> LocalAddress {
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1 else {
            throw LoadGeneratorError(.nonLoopbackTarget, "'\(host)' is not an IPv4 address; use 127.0.0.1")
        }
        guard UInt32(bigEndian: address.s_addr) >> 24 == 127 else {
            throw LoadGeneratorError(
                .nonLoopbackTarget, "\(host) is not a loopback address; only 127.0.0.0/8 is allowed")
        }
        guard (allowPortZero ? 0 : 1)...65535 ~= port else {
            throw LoadGeneratorError(.invalidConfiguration, "port \(port) is out of range 1...65535")
        }
        return .loopback(host: host, port: port)
    }

    var family: Int32 {
        switch self {
        case .loopback: AF_INET
        case .unix: AF_UNIX
        }
    }

    /// Calls `body` with this address as a `sockaddr` pointer and its length.
    @discardableResult
    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) throws -> T {
        switch self {
        case .loopback(let host, let port):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = UInt16(port).bigEndian
            guard inet_pton(AF_INET, host, &sin.sin_addr) == 1 else {
                throw LoadGeneratorError(.nonLoopbackTarget, "'\(host)' is not an IPv4 address")
            }
            return try withUnsafePointer(to: &sin) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .unix(let path):
            var sun = sockaddr_un()
            sun.sun_family = sa_family_t(AF_UNIX)
            var bytes = Array(path.utf8)
            // `@name` is Linux's abstract namespace: a leading NUL, and a length without terminator.
            let abstract = bytes.first == UInt8(ascii: "@")
            if abstract { bytes[0] = 0 }
            let capacity = MemoryLayout.size(ofValue: sun.sun_path)
            guard !bytes.isEmpty, bytes.count < capacity else {
                throw LoadGeneratorError(
                    .invalidConfiguration, "unix socket path must be 1...\(capacity - 1) bytes: \(path)")
            }
            withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: bytes) }
            let length = MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1)
            return try withUnsafePointer(to: &sun) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(length)) }
            }
        }
    }
}

/// The message of `errno` code `code`, as `strerror` gives it.
func errnoDescription(_ code: Int32) -> String {
    String(cString: strerror(code))
}

extension Duration {
    /// Whole milliseconds, rounded up so that a short positive wait never becomes a busy poll.
    var pollMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 || seconds > 0 else { return 0 }
        return Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
