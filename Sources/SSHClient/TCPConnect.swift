import Foundation

/// Opens a non-blocking TCP connection to `endpoint` within `deadline`.
///
/// Resolves with `getaddrinfo` and tries each address in turn; the socket stays non-blocking for libssh2.
func tcpConnect(_ endpoint: SSHEndpoint, deadline: Deadline, budget: Duration) throws -> Int32 {
    let host = endpoint.hostDescription
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_family = AF_UNSPEC
    var list: UnsafeMutablePointer<addrinfo>?
    let gai = getaddrinfo(endpoint.address, String(endpoint.port), &hints, &list)
    guard gai == 0, let first = list else {
        throw SSHError(
            .connectFailed, host: host,
            "cannot resolve '\(endpoint.address)': \(String(cString: gai_strerror(gai))); check the address")
    }
    defer { freeaddrinfo(list) }
    var lastError = "no address"
    var current: UnsafeMutablePointer<addrinfo>? = first
    while let info = current {
        current = info.pointee.ai_next
        let fd = socket(
            info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue),
            info.pointee.ai_protocol)
        guard fd >= 0 else {
            lastError = String(cString: strerror(errno))
            continue
        }
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        // A host that vanishes while a long command runs sends nothing more; TCP keepalive probes (after 30 s
        // idle, every 10 s, 3 misses) let the kernel fail the socket, so the wait ends as `.disconnected`
        // instead of never (best effort: a command without a timeout still waits for them).
        setOption(fd, SOL_SOCKET, SO_KEEPALIVE, 1)
        setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, 30)
        setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, 10)
        setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, 3)
        if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
        guard errno == EINPROGRESS else {
            lastError = String(cString: strerror(errno))
            close(fd)
            continue
        }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while true {
            if deadline.hasPassed {
                close(fd)
                throw SSHError(
                    .connectTimeout, host: host,
                    "TCP connect did not finish within \(budget.shortDescription); check that the host is "
                        + "up and no firewall drops port \(endpoint.port)")
            }
            let ready = poll(&pfd, 1, deadline.pollTimeout())
            if ready > 0 || (ready < 0 && errno != EINTR) { break }
        }
        var soError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
        if soError == 0 { return fd }
        lastError = String(cString: strerror(soError))
        close(fd)
    }
    throw SSHError(
        .connectFailed, host: host,
        "TCP connect failed: \(lastError); check the address and port and that sshd runs there")
}

private func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
    var value = value
    _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
}
