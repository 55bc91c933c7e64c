internal import CAgentSupport
import Glibc

/// One generation's sd_notify endpoint: an AF_UNIX datagram socket passed as `NOTIFY_SOCKET`.
///
/// SO_PASSCRED gives each message's sender pid, so a message from another generation (or an
/// unrelated process) can never mark this one ready.
final class NotifySocket {
    let path: String
    let fd: Int32

    /// One parsed datagram.
    struct Message {
        var sender: pid_t
        var fields: [String: String]
    }

    init(path: String, owner: (uid_t, gid_t)?) throws {
        unlink(path)
        fd = try syscall("socket", path) {
            socket(
                AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        }
        self.path = path
        do {
            try SocketAddress.withUnixAddress(path) { a, l in try syscall("bind", path) { bind(fd, a, l) } }
            try syscall("setsockopt", path) { cas_enable_passcred(fd) }
            if let (uid, gid) = owner { try syscall("chown", path) { chown(path, uid, gid) } }
        } catch {
            Glibc.close(fd)
            unlink(path)
            throw error
        }
    }

    /// Re-wraps an fd inherited across an agent self-upgrade.
    init(adopting fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    /// Every datagram waiting on the socket.
    func receiveAll() -> [Message] {
        var messages: [Message] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var sender: pid_t = 0
            let n = buffer.withUnsafeMutableBytes { cas_recv_with_pid(fd, $0.baseAddress, $0.count, &sender) }
            if n < 0 { break }
            var fields: [String: String] = [:]
            for line in String(decoding: buffer[..<n], as: UTF8.self).split(separator: "\n") {
                guard let eq = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<eq])] = String(line[line.index(after: eq)...])
            }
            messages.append(Message(sender: sender, fields: fields))
        }
        return messages
    }

    func close() {
        Glibc.close(fd)
        unlink(path)
    }
}
