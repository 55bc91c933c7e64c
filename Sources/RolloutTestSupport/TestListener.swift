import Foundation
import Synchronization

/// A listening socket a test creates and hands to services as an inherited fd (systemd style).
///
/// The socket is created close-on-exec; `FixtureProcess` duplicates it onto fd 3... of the
/// child only. It is closed when `close()` is called or the object goes away.
public final class TestListener: Sendable {
    public let fd: Int32
    public let address: LocalAddress
    private let closed = Atomic<Bool>(false)

    private init(fd: Int32, address: LocalAddress) {
        self.fd = fd
        self.address = address
    }

    deinit { close() }

    /// The TCP port, or 0 for a Unix socket.
    /// The TCP port `fd` is bound to (0 when it is not an IPv4 socket).
    public static func boundPort(_ fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0, address.sin_family == sa_family_t(AF_INET) else { return 0 }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public var port: Int {
        if case .loopback(_, let port) = address { return port }
        return 0
    }

    /// A TCP listener on `127.0.0.1` and a free port chosen by the kernel.
    public static func loopbackTCP(backlog: Int32 = 1024) throws -> TestListener {
        let fd = try socketCall("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0) }
        do {
            try LocalAddress.loopback(host: "127.0.0.1", port: 0).withSockaddr { address, length in
                try socketCall("bind(127.0.0.1:0)") { bind(fd, address, length) }
            }
            try socketCall("listen") { listen(fd, backlog) }
            var sin = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = try withUnsafeMutablePointer(to: &sin) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    try socketCall("getsockname") { getsockname(fd, address, &length) }
                }
            }
            return TestListener(
                fd: fd, address: .loopback(host: "127.0.0.1", port: Int(UInt16(bigEndian: sin.sin_port))))
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// A Unix stream listener at `path` (an existing file there is replaced).
    public static func unix(path: String, backlog: Int32 = 1024) throws -> TestListener {
        let fd = try socketCall("socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0) }
        do {
            if !path.hasPrefix("@") { unlink(path) }
            try LocalAddress.unix(path: path).withSockaddr { address, length in
                try socketCall("bind(\(path))") { bind(fd, address, length) }
            }
            try socketCall("listen") { listen(fd, backlog) }
            return TestListener(fd: fd, address: .unix(path: path))
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// Closes the socket (once); queued connections that nobody accepted are reset.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Glibc.close(fd)
        if case .unix(let path) = address, !path.hasPrefix("@") { unlink(path) }
    }
}

/// Runs a socket call, retrying `EINTR`, and throws a `TestSupportError` naming the call on -1.
@discardableResult
func socketCall<T: BinaryInteger>(_ call: String, _ body: () -> T) throws -> T {
    while true {
        let rc = body()
        if rc != -1 { return rc }
        if errno == EINTR { continue }
        throw TestSupportError("\(call) failed: \(errnoDescription(errno)) (errno \(errno))")
    }
}
