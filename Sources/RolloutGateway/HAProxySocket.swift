import Foundation
import RolloutCore
import RolloutText

/// Where an HAProxy admin socket is, and how its one-shot commands get there.
public enum HAProxyTransport: Sendable {
    /// Connect from this process (the gateway runs on the controller).
    case direct
    /// Through a command on the gateway host: `socat`, or `python3` when `socat` is absent.
    case runner(any GatewayCommandRunner)
}

/// Sends one runtime API command per connection (HAProxy's non-interactive mode: it answers, then closes) and
/// returns the answer.
struct HAProxySocket: Sendable {
    /// A Unix socket path (starts with `/`) or `host:port`.
    var endpoint: String
    var transport: HAProxyTransport
    var timeout: Duration

    func send(_ command: String) async throws -> String {
        switch transport {
        case .direct:
            let endpoint = endpoint
            let timeout = timeout
            return try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread {
                    continuation.resume(with: Result { try Self.exchange(endpoint, command, timeout: timeout) })
                }
            }
        case .runner(let runner):
            let line = Self.remoteCommand(endpoint)
            let result = try await runner.run(line, stdin: Array((command + "\n").utf8), timeout: timeout)
            if result.status == 127 || result.status == 126 || result.stderr.contains("no socat or python3") {
                throw GatewayError(
                    .unreachable,
                    "cannot reach the HAProxy admin socket \(endpoint) on the gateway host: it has neither `socat` "
                        + "nor `python3`\(result.outputSummary); install one of them there")
            }
            guard result.status == 0 else {
                throw GatewayError(
                    .unreachable,
                    "cannot reach the HAProxy admin socket \(endpoint) on the gateway host"
                        + "\(result.outputSummary); check the path, its permissions and that HAProxy runs")
            }
            return result.stdout
        }
    }

    /// The command line that relays standard input to the admin socket on the gateway host
    /// (`HAProxyRuntime.relay`, the same the plan shows).
    static func remoteCommand(_ endpoint: String) -> String {
        ShellQuote.join(HAProxyRuntime.relay(endpoint: endpoint))
    }

    /// `timeout` as a socket timeout: sub-second parts kept, and never the all-zero value, which means "no
    /// timeout" to `SO_RCVTIMEO`/`SO_SNDTIMEO` (a 300 ms timeout must not become a wait forever).
    static func timeval(_ timeout: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = timeout.components
        guard timeout > .zero else { return Glibc.timeval(tv_sec: 0, tv_usec: 1) }
        let micros = Int(attoseconds / 1_000_000_000_000)
        // Rounded up, so a timeout under a microsecond is not zero either.
        return micros * 1_000_000_000_000 < attoseconds
            ? Glibc.timeval(tv_sec: Int(seconds), tv_usec: micros + 1)
            : Glibc.timeval(tv_sec: Int(seconds), tv_usec: micros)
    }

    /// Blocking exchange over a socket of this process.
    private static func exchange(_ endpoint: String, _ command: String, timeout: Duration) throws -> String {
        let fd = try connect(endpoint)
        defer { close(fd) }
        var limit = Self.timeval(timeout)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array((command + "\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw unreachable(endpoint, "send", errno)
            }
            sent += n
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw unreachable(endpoint, "recv", errno)
            }
            answer += buffer[..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    private static func connect(_ endpoint: String) throws -> Int32 {
        if endpoint.hasPrefix("/") {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw unreachable(endpoint, "socket", errno) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let path = Array(endpoint.utf8)
            guard path.count < MemoryLayout.size(ofValue: address.sun_path) else {
                close(fd)
                throw GatewayError(.invalidSettings, "the HAProxy socket path \(endpoint) is too long for a socket")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: path)
                raw[path.count] = 0
            }
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard rc == 0 else {
                let code = errno
                close(fd)
                throw unreachable(endpoint, "connect", code)
            }
            return fd
        }
        guard let colon = endpoint.lastIndex(of: ":"), let port = UInt16(endpoint[endpoint.index(after: colon)...])
        else {
            throw GatewayError(
                .invalidSettings, "the HAProxy admin address `\(endpoint)` is neither a socket path nor host:port")
        }
        let host = endpoint[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw GatewayError(.unreachable, "cannot resolve the HAProxy admin address \(endpoint)")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd >= 0 {
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                lastError = errno
                close(fd)
            }
            entry = info.pointee.ai_next
        }
        throw unreachable(endpoint, "connect", lastError)
    }

    private static func unreachable(_ endpoint: String, _ call: String, _ code: Int32) -> GatewayError {
        GatewayError(
            .unreachable,
            "cannot talk to the HAProxy admin socket \(endpoint): \(call) failed: \(String(cString: strerror(code))) "
                + "(errno \(code)); check that HAProxy runs with `stats socket ... level admin` there")
    }
}
