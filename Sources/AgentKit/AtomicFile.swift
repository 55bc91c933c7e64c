import Glibc

/// Files the agent replaces whole: the pid file and the takeover record.
enum AtomicFile {
    /// Writes `bytes` to `path` atomically: into a temporary file beside it that `mkstemp` creates exclusively under
    /// an unpredictable name (a file or symlink planted at a guessable name is never written through), then renamed
    /// over `path`. A reader sees the old content or the new one, never a part.
    static func write(_ path: String, _ bytes: [UInt8], mode: mode_t) throws {
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
            try syscall("rename", path) { rename(temporary!, path) }
        } catch {
            if let temporary { unlink(temporary) }
            throw error
        }
    }
}
