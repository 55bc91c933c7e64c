import Foundation

/// One client connection of the load generator: a non-blocking socket driven with `poll` so
/// every step honours the request's deadline.
final class LoadConnection {
    /// Why a step failed, mapped one-to-one onto the report's failure counters.
    enum Failure: Error {
        case refused(String)
        case reset(String)
        case unexpectedEOF(String)
        case timeout(String)
        case other(String)
    }

    struct Response {
        var status: Int
        var headers: [String: String]
        /// The server said `Connection: close` (or spoke HTTP/1.0 without keep-alive).
        var closes: Bool
        var body: [UInt8]
    }

    let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `address` before `deadline` (`ContinuousClock` instant).
    init(to address: LocalAddress, deadline: ContinuousClock.Instant) throws(Failure) {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .other("socket: \(errnoDescription(errno))") }
        self.fd = fd
        let step = "connect \(address)"
        // On a throw, deinit still runs (every stored property is set) and closes the fd once.
        if case .unix = address {
            try Self.connectUnix(fd, to: address, deadline: deadline, step: step)
        } else {
            try Self.connectTCP(fd, to: address, deadline: deadline, step: step)
        }
    }

    /// A non-blocking connect waited for with `poll`, so the deadline holds even when the SYN
    /// is dropped (a full accept queue).
    private static func connectTCP(
        _ fd: Int32, to address: LocalAddress, deadline: ContinuousClock.Instant,
        step: String
    ) throws(Failure) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let rc: Int32
        do { rc = try address.withSockaddr { connect(fd, $0, $1) } } catch { throw .other("\(error)") }
        if rc != 0 {
            let code = errno
            // EAGAIN from a TCP connect means no free local port: an error, not "in progress".
            guard code == EINPROGRESS || code == EINTR else { throw classify(code, step) }
            try waitFor(fd, Int16(POLLOUT), until: deadline, doing: step)
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if soError != 0 { throw classify(soError, step) }
        }
        // Connecting to a closed port in the ephemeral range can pick that very port as the source
        // and "succeed" by TCP simultaneous open. Nothing is listening: report it as refused.
        if localPort(fd, peer: false) == localPort(fd, peer: true) {
            throw .refused("\(step): Connection refused (the connection met itself: nothing is listening)")
        }
    }

    /// A blocking connect bounded by `SO_SNDTIMEO`: a non-blocking `AF_UNIX` connect fails with
    /// EAGAIN when the accept queue is full instead of waiting, which would be a false failure.
    private static func connectUnix(
        _ fd: Int32, to address: LocalAddress, deadline: ContinuousClock.Instant,
        step: String
    ) throws(Failure) {
        let remaining = deadline - .now
        guard remaining > .zero else { throw .timeout("timed out \(step)") }
        var timeout = timeval(
            tv_sec: Int(remaining.components.seconds),
            tv_usec: Int(remaining.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while true {
            let rc: Int32
            do { rc = try address.withSockaddr { connect(fd, $0, $1) } } catch { throw .other("\(error)") }
            if rc == 0 { break }
            let code = errno
            if code == EINTR && ContinuousClock.now < deadline { continue }
            throw code == EAGAIN || code == EINTR ? .timeout("timed out \(step)") : classify(code, step)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    static func localPort(_ fd: Int32, peer: Bool) -> UInt16? {
        var sin = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(fd, $0, &length) : getsockname(fd, $0, &length)
            }
        }
        return rc == 0 ? UInt16(bigEndian: sin.sin_port) : nil
    }

    deinit { close(fd) }

    /// True when the server has closed this idle connection (or sent something unasked), so it
    /// must not be reused. Checked before writing a request: no request is at stake yet.
    var isClosedByPeer: Bool {
        var pollSet = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pollSet, 1, 0) > 0
    }

    /// Sends `request` completely before `deadline`.
    func send(_ request: [UInt8], deadline: ContinuousClock.Instant) throws(Failure) {
        var offset = 0
        while offset < request.count {
            let sent = request[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent >= 0 {
                offset += sent
                continue
            }
            let code = errno
            if code == EINTR { continue }
            guard code == EAGAIN || code == EWOULDBLOCK else { throw Self.classify(code, "send") }
            try Self.waitFor(fd, Int16(POLLOUT), until: deadline, doing: "send")
        }
    }

    /// Reads one complete response (head and `Content-Length` body) before `deadline`. A
    /// response to HEAD has no body whatever its `Content-Length` says: pass `hasBody: false`.
    func receiveResponse(deadline: ContinuousClock.Instant, hasBody: Bool = true) throws(Failure) -> Response {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.find(Array("\r\n\r\n".utf8), in: buffer)
            if headEnd == nil {
                guard buffer.count < 64 * 1024 else { throw .other("response head larger than 64 KiB") }
                try readMore(
                    deadline: deadline, doing: buffer.isEmpty ? "waiting for response" : "reading response head")
            }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .other("malformed status line '\(statusLine.prefix(60))'")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                throw .other("malformed header line '\(line.prefix(60))'")
            }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let connection = headers["connection"]?.lowercased() ?? ""
        let closes = connection.contains("close") || (parts[0] == "HTTP/1.0" && !connection.contains("keep-alive"))
        guard headers["transfer-encoding"] == nil else {
            throw .other("Transfer-Encoding '\(headers["transfer-encoding"]!)' is not supported by the load generator")
        }
        let bodyStart = headEnd! + 4
        if !hasBody || status == 204 || status == 304 || (100..<200).contains(status) {
            buffer.removeFirst(bodyStart)
            return Response(status: status, headers: headers, closes: closes, body: [])
        }
        if let lengthText = headers["content-length"] {
            guard let length = Int(lengthText), length >= 0 else { throw .other("bad Content-Length '\(lengthText)'") }
            while buffer.count < bodyStart + length { try readMore(deadline: deadline, doing: "reading response body") }
            let body = Array(buffer[bodyStart..<bodyStart + length])
            buffer.removeFirst(bodyStart + length)
            return Response(status: status, headers: headers, closes: closes, body: body)
        }
        // No length: the body runs to EOF, and the connection cannot be reused.
        while true {
            do {
                try readMore(deadline: deadline, doing: "reading close-delimited body")
            } catch .unexpectedEOF {
                let body = Array(buffer[bodyStart...])
                buffer.removeAll()
                return Response(status: status, headers: headers, closes: true, body: body)
            }
        }
    }

    /// Waits until the server closes the connection, so the TIME_WAIT state stays on the
    /// server side (a client that closes first would run out of ports in connection-per-request
    /// mode). Gives up quietly at `deadline`: the response was already complete.
    func awaitServerClose(deadline: ContinuousClock.Instant) {
        while true {
            do { try readMore(deadline: deadline, doing: "waiting for close") } catch { return }
        }
    }

    private func readMore(deadline: ContinuousClock.Instant, doing step: String) throws(Failure) {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count > 0 {
                buffer += chunk[0..<count]
                return
            }
            if count == 0 { throw .unexpectedEOF("connection closed by server while \(step) (\(buffer.count) bytes)") }
            let code = errno
            if code == EINTR { continue }
            guard code == EAGAIN || code == EWOULDBLOCK else { throw Self.classify(code, step) }
            try Self.waitFor(fd, Int16(POLLIN), until: deadline, doing: step)
        }
    }

    private static func waitFor(
        _ fd: Int32, _ events: Int16, until deadline: ContinuousClock.Instant, doing step: String
    ) throws(Failure) {
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { throw .timeout("timed out \(step)") }
            var pollSet = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&pollSet, 1, remaining.pollMilliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw classify(errno, "poll while \(step)") }
        }
    }

    private static func classify(_ code: Int32, _ step: String) -> Failure {
        let text = "\(step): \(errnoDescription(code))"
        switch code {
        case ECONNREFUSED: return .refused(text)
        case ECONNRESET, EPIPE, ECONNABORTED: return .reset(text)
        case ETIMEDOUT: return .timeout(text)
        default: return .other(text)
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<start + needle.count].elementsEqual(needle) { return start }
        }
        return nil
    }
}
