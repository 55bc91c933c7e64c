import Glibc

/// Where every generation's output lines end up: a file opened for append, or the agent's stderr.
final class LogSink {
    let fd: Int32
    let path: String?

    init(path: String?) throws {
        self.path = path
        if let path {
            fd = try syscall("open", path) { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640) }
        } else {
            fd = 2
        }
    }

    func write(_ line: String) {
        try? SocketAddress.writeAll(fd, Array(line.utf8))
    }

    func close() { if path != nil { Glibc.close(fd) } }
}
