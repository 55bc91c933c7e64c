import Glibc

/// Files the agent replaces whole: the pid file, the takeover record and the fencing record.
enum AtomicFile {
    /// Writes `bytes` to `path` atomically: into a temporary file beside it that `mkstemp` creates exclusively under
    /// an unpredictable name (a file or symlink planted at a guessable name is never written through), then renamed
    /// over `path`. A reader sees the old content or the new one, never a part. `durable`: the file and then its
    /// directory are `fsync`ed, so the new content survives a crash of the host once this returns.
    static func write(_ path: String, _ bytes: [UInt8], mode: mode_t, durable: Bool = false) throws {
        var template = Array((path + ".XXXXXX").utf8CString)
        var temporary: String?
        do {
            let fd = try template.withUnsafeMutableBufferPointer { buffer in
                try syscall("mkstemp", path) { mkstemp(buffer.baseAddress!) }
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            defer { close(fd) }
            try syscall("fchmod", path) { fchmod(fd, mode) }
            try SocketAddress.writeAll(fd, bytes)
            if durable { try syscall("fsync", path) { fsync(fd) } }
            try syscall("rename", path) { rename(temporary!, path) }
            if durable { try syncDirectory(of: path) }
        } catch {
            if let temporary { unlink(temporary) }
            throw error
        }
    }

    private static func syncDirectory(of path: String) throws {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let fd = try syscall("open", directory) { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try syscall("fsync", directory) { fsync(fd) }
    }
}
