import Glibc

/// A listening socket the service accepts on, with a name for its logs.
struct Listener {
    let fd: Int32
    let name: String
    /// The Unix socket file this process created for `--listen unix:PATH`, removed at exit.
    /// Inherited sockets are never unlinked: they belong to whoever passed them.
    var ownedPath: String?
}

/// Takes over the listening sockets passed with systemd's socket-passing protocol.
///
/// `LISTEN_FDS=N` means fds 3..<3+N are listeners, named by the colon-separated
/// `LISTEN_FDNAMES`. They are ours only when `LISTEN_PID` equals our pid: a value inherited
/// from an ancestor meant for someone else is ignored, as `sd_listen_fds` does. Either way the
/// three variables are removed so that any child we start does not misread them, and the fds
/// are marked close-on-exec. Returns nil when no sockets were passed to this process.
func adoptInheritedListeners() throws -> [Listener]? {
    defer {
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDNAMES")
    }
    guard let countText = environmentValue("LISTEN_FDS") else { return nil }
    guard let pidText = environmentValue("LISTEN_PID"), let pid = Int32(pidText), pid == getpid() else {
        log("ignoring LISTEN_FDS=\(countText): LISTEN_PID=\(environmentValue("LISTEN_PID") ?? "unset") is not our pid")
        return nil
    }
    guard let count = Int32(countText), count > 0 else {
        log("ignoring LISTEN_FDS='\(countText)': not a positive number")
        return nil
    }
    let names =
        environmentValue("LISTEN_FDNAMES")?.split(separator: ":", omittingEmptySubsequences: false)
        .map(String.init) ?? []
    return try (0..<count).map { index in
        let fd = 3 + index
        // A wrong fd would make the accept loop fail forever; failing at start lets the
        // supervisor see a generation that never became ready, with this reason in its log.
        var listening: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        try sys("getsockopt(fd \(fd), SO_ACCEPTCONN): LISTEN_FDS=\(count) passed a non-socket") {
            getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length)
        }
        guard listening == 1 else {
            throw SystemCallError(call: "fd \(fd) from LISTEN_FDS is a socket but not listening", errno: EINVAL)
        }
        try setCloseOnExec(fd)
        // Several processes accept on this one socket during a handoff: accept must never block
        // when another generation took the connection that woke our poll.
        try setNonBlocking(fd)
        let name = Int(index) < names.count ? names[Int(index)] : "fd\(fd)"
        return Listener(fd: fd, name: name)
    }
}

/// Creates a listener for a `--listen` address: `HOST:PORT` (IPv4; port 0 picks a free one)
/// or `unix:PATH`. Logs the bound address, which is how a caller learns an ephemeral port.
func bindListener(_ address: String) throws -> Listener {
    let fd: Int32
    var ownedPath: String?
    if address.hasPrefix("unix:") {
        let path = String(address.dropFirst("unix:".count))
        ownedPath = path
        fd = try sys("socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        var sun = try unixSocketAddress(path)
        unlink(path)
        try sys("bind(\(path))") {
            withUnsafePointer(to: &sun) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
    } else {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...])
        else { throw DemoOptions.UsageError(description: "--listen '\(address)': expected HOST:PORT or unix:PATH") }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        guard inet_pton(AF_INET, String(address[..<colon]), &sin.sin_addr) == 1 else {
            throw DemoOptions.UsageError(description: "--listen '\(address)': the host must be an IPv4 address")
        }
        fd = try sys("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        try sys("bind(\(address))") {
            withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }
    try sys("listen") { listen(fd, SOMAXCONN) }
    try setNonBlocking(fd)
    let name = boundAddress(fd) ?? address
    log("listening on \(name)")
    return Listener(fd: fd, name: name, ownedPath: ownedPath)
}

/// `sockaddr_un` for `path`, which must fit in `sun_path` (108 bytes with its terminator).
func unixSocketAddress(_ path: String) throws -> sockaddr_un {
    var sun = sockaddr_un()
    sun.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: sun.sun_path)
    guard bytes.count < capacity else {
        throw DemoOptions.UsageError(description: "unix socket path '\(path)' is longer than \(capacity - 1) bytes")
    }
    withUnsafeMutableBytes(of: &sun.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    return sun
}

/// The `127.0.0.1:PORT` an IPv4 socket is bound to, or nil for other families.
private func boundAddress(_ fd: Int32) -> String? {
    var sin = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let rc = withUnsafeMutablePointer(to: &sin) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard rc == 0, sin.sin_family == sa_family_t(AF_INET) else { return nil }
    let host = UInt32(bigEndian: sin.sin_addr.s_addr)
    let dotted = [24, 16, 8, 0].map { String((host >> UInt32($0)) & 0xff) }.joined(separator: ".")
    return "\(dotted):\(UInt16(bigEndian: sin.sin_port))"
}

func environmentValue(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}
