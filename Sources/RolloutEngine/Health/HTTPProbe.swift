import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What one HTTP health request got.
public struct HTTPProbeResponse: Sendable {
    public var status: Int
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: String
}

/// A minimal HTTP/1.1 GET over a fresh TCP connection (`Connection: close`), run on its own thread so a slow
/// host never blocks the controller's task pool. Only `http://` URLs with a literal address or a name
/// `getaddrinfo` resolves.
public enum HTTPProbe {
    public static func get(_ url: String, timeout: Duration) async throws -> HTTPProbeResponse {
        try await onThread { try blockingGet(url, timeout: timeout) }
    }

    /// Connects to `host:port` and closes: the TCP health check.
    public static func connect(host: String, port: Int, timeout: Duration) async throws {
        try await onThread { close(try open(host: host, port: port, timeout: timeout)) }
    }

    @discardableResult
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.start()
        }
    }

    static func blockingGet(_ url: String, timeout: Duration) throws -> HTTPProbeResponse {
        guard url.hasPrefix("http://") else { throw probeError("only http:// URLs are supported: \(url)") }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        var host = String(authority)
        var port = 80
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = String(authority[..<colon])
            port = Int(authority[authority.index(after: colon)...]) ?? 80
        }
        host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let fd = try open(host: host, port: port, timeout: timeout)
        defer { close(fd) }
        let request =
            "GET \(path.isEmpty ? "/" : String(path)) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\n\r\n"
        let bytes = Array(request.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else {
            throw probeError("write: \(String(cString: strerror(errno)))")
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while response.count < 1 << 20 {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw probeError("read: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            response += buffer[0..<n]
        }
        return try parse(response)
    }

    static func parse(_ bytes: [UInt8]) throws -> HTTPProbeResponse {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { throw probeError("incomplete HTTP response") }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let statusLine = lines.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw probeError("not an HTTP response: \(lines.first ?? "")")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return HTTPProbeResponse(status: status, headers: headers, body: String(text[end.upperBound...]))
    }

    static func open(host: String, port: Int, timeout: Duration) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw probeError("cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw probeError("socket: \(String(cString: strerror(errno)))") }
        var tv = timeval(
            tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        if tv.tv_sec == 0 && tv.tv_usec == 0 { tv.tv_sec = 1 }
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if Glibc.connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 {
            let message = String(cString: strerror(errno))
            close(fd)
            throw probeError("connect to \(host):\(port): \(message)")
        }
        return fd
    }

    static func probeError(_ message: String) -> DeployError { DeployError(.health, message) }
}
