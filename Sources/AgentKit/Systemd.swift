internal import CAgentSupport
import Glibc

/// The agent's own side of the systemd protocols: `Type=notify` and socket activation.
enum Systemd {
    /// Sends `message` to `$NOTIFY_SOCKET` when the agent runs under systemd; a no-op otherwise.
    /// An abstract socket name (`@...`) is supported.
    static func notify(_ message: String, socketPath: String?) {
        guard let socketPath, !socketPath.isEmpty else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(socketPath.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        let payload = Array(message.utf8)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { addr in
                payload.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), addr, length) }
            }
        }
    }

    /// The fds systemd passed for socket activation, by name (`LISTEN_FDNAMES`, or `fd3`, `fd4`...
    /// when unnamed). Only when `LISTEN_PID` is this process. Clears the variables so that nothing
    /// inherits them by accident.
    static func takeActivatedSockets() -> [String: Int32] {
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let pidText = getenv("LISTEN_PID").map({ String(cString: $0) }), pid_t(pidText) == getpid(),
            let countText = getenv("LISTEN_FDS").map({ String(cString: $0) }), let count = Int32(countText), count > 0
        else { return [:] }
        let names =
            getenv("LISTEN_FDNAMES").map {
                String(cString: $0).split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            } ?? []
        var result: [String: Int32] = [:]
        for index in 0..<count {
            let fd = 3 + index
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let name = Int(index) < names.count && !names[Int(index)].isEmpty ? names[Int(index)] : "fd\(fd)"
            result[name] = fd
        }
        return result
    }

    /// Sends `message` with `fds` attached (SCM_RIGHTS), as the fd store's `FDSTORE=1` needs. False when it could not
    /// be sent (no systemd, or an error: errno set).
    @discardableResult
    static func notify(_ message: String, fds: [Int32], socketPath: String?) -> Bool {
        guard let socketPath, !socketPath.isEmpty else { return false }
        let bytes = Array(message.utf8)
        return bytes.withUnsafeBufferPointer { text in
            fds.withUnsafeBufferPointer { list in
                cas_notify_with_fds(socketPath, text.baseAddress, text.count, list.baseAddress, Int32(list.count)) >= 0
            }
        }
    }
}
