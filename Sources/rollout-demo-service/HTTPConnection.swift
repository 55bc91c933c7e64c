import Glibc

/// Serves the requests of one accepted connection, on its own thread, until it closes.
///
/// Drain behaviour, chosen so that a client under load never sees a failed request:
/// - a request already received (even partly) is read, answered and followed by close, with
///   `Connection: close` in the response so the client knows not to reuse the connection;
/// - a connection that is idle when the drain starts is closed after `idleGraceMilliseconds`
///   without a request. The grace matters: a busy keep-alive client is "idle" only for the
///   moment between a response and its next request, and closing in that moment would reset
///   the request already on its way. The grace lets that request arrive and be answered.
struct HTTPConnection {
    let fd: Int32
    let server: DemoServer

    static let idleGraceMilliseconds: Int64 = 250
    /// Keep-alive connections idle this long are closed even when not draining.
    static let idleTimeoutMilliseconds: Int64 = 60_000
    /// A client that started a request must finish sending it within this time.
    static let requestTimeoutMilliseconds: Int64 = 30_000

    func serve() {
        var one: Int32 = 1
        // Fails harmlessly on Unix stream sockets, which have no Nagle algorithm.
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var sendTimeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))

        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        var lastActivity = monotonicMilliseconds()
        while true {
            switch HTTPRequestHead.parse(buffer[...]) {
            case .invalid(let reason):
                respond(HTTPResponse.plain(400, reason + "\n"), head: nil, keepAlive: false)
                lingeringClose()
                return
            case .tooLarge:
                let reason = "request head larger than \(HTTPRequestHead.maximumSize) bytes\n"
                respond(HTTPResponse.plain(431, reason), head: nil, keepAlive: false)
                lingeringClose()
                return
            case .complete(let head, let headLength):
                guard let bodyLength = head.contentLength else {
                    respond(
                        HTTPResponse.plain(411, "send a Content-Length body, chunked bodies are not accepted\n"),
                        head: head, keepAlive: false)
                    lingeringClose()
                    return
                }
                if buffer.count < headLength + bodyLength {
                    guard readMore(into: &buffer, using: &chunk, idleSince: nil) else { return }
                    continue
                }
                buffer.removeFirst(headLength + bodyLength)
                let response = server.response(for: head)
                // Decided after the handler ran: a drain that began during a slow request still
                // ends this connection.
                let keepAlive = head.wantsKeepAlive && !server.isDraining
                guard respond(response, head: head, keepAlive: keepAlive), keepAlive else { return }
                lastActivity = monotonicMilliseconds()
            case .incomplete:
                guard readMore(into: &buffer, using: &chunk, idleSince: buffer.isEmpty ? lastActivity : nil) else {
                    return
                }
            }
        }
    }

    /// Waits for and appends more bytes. Returns false when the connection should end: the peer
    /// closed it, an error, a timeout, or (with `idleSince` set, meaning no request is pending) a
    /// drain whose idle grace has passed.
    private func readMore(into buffer: inout [UInt8], using chunk: inout [UInt8], idleSince: Int64?) -> Bool {
        let startedWaiting = monotonicMilliseconds()
        while true {
            let now = monotonicMilliseconds()
            let timeout: Int64
            if let idleSince {
                if server.isDraining {
                    let graceEnd = max(idleSince, server.drainStartMilliseconds) + Self.idleGraceMilliseconds
                    if now >= graceEnd { return false }
                    timeout = graceEnd - now
                } else {
                    timeout = idleSince + Self.idleTimeoutMilliseconds - now
                    if timeout <= 0 { return false }
                }
            } else {
                timeout = startedWaiting + Self.requestTimeoutMilliseconds - now
                if timeout <= 0 { return false }
            }
            var pollSet = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            // An idle connection also waits for the drain signal, to start its grace period.
            if idleSince != nil && !server.isDraining {
                pollSet.append(pollfd(fd: server.drainSignalFD, events: Int16(POLLIN), revents: 0))
            }
            let ready = poll(&pollSet, nfds_t(pollSet.count), Int32(clamping: timeout))
            if ready < 0 && errno != EINTR { return false }
            guard ready > 0, pollSet[0].revents != 0 else { continue }
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard count > 0 else { return false }
            buffer += chunk[0..<count]
            return true
        }
    }

    /// After an error response to a request we did not read completely: closing with unread
    /// input would make the kernel send RST, which can destroy the response before the client
    /// reads it. Half-close instead and discard input until the client closes (at most 2 s).
    private func lingeringClose() {
        shutdown(fd, Int32(SHUT_WR))
        let deadline = monotonicMilliseconds() + 2000
        var discard = [UInt8](repeating: 0, count: 16 * 1024)
        while monotonicMilliseconds() < deadline {
            var pollSet = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pollSet, 1, Int32(max(0, deadline - monotonicMilliseconds()))) > 0 else { return }
            if recv(fd, &discard, discard.count, 0) <= 0 { return }
        }
    }

    /// Writes the whole response. Returns false if the peer is gone.
    @discardableResult
    private func respond(_ response: HTTPResponse, head: HTTPRequestHead?, keepAlive: Bool) -> Bool {
        let bytes = response.serialized(
            keepAlive: keepAlive, http10: head?.isHTTP10 ?? false, includeBody: head?.method != "HEAD")
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }
}
