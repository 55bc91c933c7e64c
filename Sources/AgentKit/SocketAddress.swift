import Glibc

/// Socket creation and addressing over raw Glibc calls, kept in one place.
enum SocketAddress {
    /// Splits `host:port` (IPv6 as `[addr]:port`); nil when malformed.
    static func parseHostPort(_ text: String) -> (host: String, port: UInt16)? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = UInt16(portText) else { return nil }
        return (String(host), port)
    }

    /// Calls `body` with a `sockaddr_un` for `path`.
    @discardableResult
    static func withUnixAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) throws -> T
    {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw AgentError("socket.path", "unix socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        return try withUnsafePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }

    /// Resolves `host:port` and calls `body` with the first address (numeric hosts never hit DNS).
    static func withTCPAddress<T>(
        _ text: String, passive: Bool, _ body: (UnsafePointer<sockaddr>, socklen_t, Int32) throws -> T
    ) throws -> T {
        guard let (host, port) = parseHostPort(text) else {
            throw AgentError("socket.address", "'\(text)' is not host:port")
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host == "*" ? nil : host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw AgentError("socket.resolve", "cannot resolve '\(host)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        return try body(first.pointee.ai_addr, first.pointee.ai_addrlen, first.pointee.ai_family)
    }

    /// A listening TCP socket with SO_REUSEADDR (never SO_REUSEPORT: one accept queue per address).
    static func tcpListener(_ text: String, backlog: Int32) throws -> Int32 {
        try withTCPAddress(text, passive: true) { address, length, family in
            let fd = try syscall("socket", text) {
                socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            }
            do {
                var on: Int32 = 1
                try syscall("setsockopt", text) {
                    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
                }
                try syscall("bind", text) { bind(fd, address, length) }
                try syscall("listen", text) { listen(fd, backlog) }
                return fd
            } catch {
                close(fd)
                throw error
            }
        }
    }

    /// A listening Unix stream socket at `path`; a stale socket file is replaced, any other file is not.
    static func unixListener(_ path: String, backlog: Int32, mode: mode_t?, owner: (uid_t, gid_t)?) throws -> Int32 {
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFSOCK else {
                throw AgentError(
                    "socket.exists", "\(path) exists and is not a socket; remove it or choose another path")
            }
            unlink(path)
        }
        let fd = try syscall("socket", path) {
            socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        do {
            try withUnixAddress(path) { address, length in try syscall("bind", path) { bind(fd, address, length) } }
            if let mode { try syscall("chmod", path) { chmod(path, mode) } }
            if let (uid, gid) = owner { try syscall("chown", path) { chown(path, uid, gid) } }
            try syscall("listen", path) { listen(fd, backlog) }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// A blocking client connection to `host:port` or a Unix path (an address starting with `/`).
    static func connect(to address: String, timeoutMilliseconds: Int) throws -> Int32 {
        if address.hasPrefix("/") { return try connect(unixPath: address, timeoutMilliseconds: timeoutMilliseconds) }
        let fd = try withTCPAddress(address, passive: false) { a, l, family in
            let fd = try syscall("socket") {
                socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            }
            do {
                try syscall("connect", address) { Glibc.connect(fd, a, l) }
                return fd
            } catch {
                close(fd)
                throw error
            }
        }
        setTimeouts(fd, milliseconds: timeoutMilliseconds)
        return fd
    }

    /// A blocking client connection to the Unix stream socket at `path` (relative paths allowed).
    static func connect(unixPath path: String, timeoutMilliseconds: Int) throws -> Int32 {
        let fd = try syscall("socket") {
            socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        do {
            try withUnixAddress(path) { a, l in try syscall("connect", path) { Glibc.connect(fd, a, l) } }
        } catch {
            close(fd)
            throw error
        }
        setTimeouts(fd, milliseconds: timeoutMilliseconds)
        return fd
    }

    /// Sets send and receive timeouts on a blocking socket.
    static func setTimeouts(_ fd: Int32, milliseconds: Int) {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AgentError.system("write")
            }
            offset += n
        }
    }

    /// Reads until EOF or `limit` bytes.
    static func readAll(_ fd: Int32, limit: Int = 1 << 20) throws -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while result.count < limit {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AgentError.system("read")
            }
            if n == 0 { break }
            result += buffer[..<n]
        }
        return result
    }
}
