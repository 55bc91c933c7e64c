import Glibc

/// Sends sd_notify-style state changes (`READY=1`, `STOPPING=1`, ...) to `NOTIFY_SOCKET`.
///
/// The socket is an `AF_UNIX` datagram socket; a path starting with `@` names the abstract
/// namespace (the `@` becomes a leading NUL byte and the address is not NUL-terminated).
/// Without `NOTIFY_SOCKET` every call is a no-op, so the service runs the same way by hand.
struct ReadinessNotifier {
    private let path: String?

    init(path: String?) {
        self.path = path.flatMap { $0.isEmpty ? nil : $0 }
    }

    var isEnabled: Bool { path != nil }

    /// Sends `lines` as one datagram, joined by newlines. Failures are logged, not thrown: a
    /// supervisor that stopped listening must not take the service down with it.
    func send(_ lines: [String]) {
        guard let path else { return }
        do {
            try sendDatagram(lines.joined(separator: "\n") + "\n", to: path)
        } catch {
            log("notify \(lines.first ?? "") to \(path) failed: \(error)")
        }
    }

    private func sendDatagram(_ message: String, to path: String) throws {
        let fd = try sys("socket") { socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        defer { close(fd) }
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: sun.sun_path)
        guard bytes.count < capacity else { throw SystemCallError(call: "NOTIFY_SOCKET too long", errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: bytes) }
        // Abstract addresses are exactly as long as their bytes; path addresses include the NUL.
        let length = MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1)
        let payload = Array(message.utf8)
        try sys("sendto(\(path))") {
            withUnsafePointer(to: &sun) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, payload, payload.count, Int32(MSG_NOSIGNAL), $0, socklen_t(length))
                }
            }
        }
    }
}
