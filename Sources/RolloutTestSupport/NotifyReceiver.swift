internal import CAgentSupport
import Foundation

/// The receiving end of sd_notify: an `AF_UNIX` datagram socket a test binds and passes to a
/// service as `NOTIFY_SOCKET`, to see `READY=1`, `STOPPING=1` and friends exactly as sent.
public final class NotifyReceiver: Sendable {
    /// The socket's path, to put in `NOTIFY_SOCKET`.
    public let path: String
    private let fd: Int32

    /// Binds a fresh socket under `/tmp` (short, because `sun_path` holds only 107 bytes), or in
    /// the abstract namespace (`@rollout-notify-...`) when `abstract` is true.
    public init(abstract: Bool = false) throws {
        let name = "rollout-notify-\(UUID().uuidString.prefix(13))"
        path = abstract ? "@\(name)" : "/tmp/\(name).sock"
        fd = try socketCall("socket") { socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0) }
        do {
            try LocalAddress.unix(path: path).withSockaddr { address, length in
                try socketCall("bind(\(path))") { bind(fd, address, length) }
            }
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        close(fd)
        if !path.hasPrefix("@") { unlink(path) }
    }

    /// The next datagram, or nil if none arrives within `timeout`.
    public func receive(timeout: Duration) -> String? {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { return nil }
            var pollSet = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pollSet, 1, remaining.pollMilliseconds) > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count >= 0 { return String(decoding: buffer[0..<count], as: UTF8.self) }
        }
    }

    /// Collects datagrams until one has a line equal to `line` (e.g. `READY=1`) and returns all
    /// of them in order, or throws after `timeout` with what did arrive.
    @discardableResult
    public func waitFor(_ line: String, timeout: Duration) throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        var seen: [String] = []
        while let message = receive(timeout: deadline - .now) {
            seen.append(message)
            if message.split(separator: "\n").contains(Substring(line)) { return seen }
        }
        throw TestSupportError("no '\(line)' on \(path) within \(timeout); received \(seen)")
    }

    /// The next datagram with the fds it carries (the caller owns them), or nil within `timeout`.
    public func receiveWithFDs(timeout: Duration) -> (message: String, fds: [Int32])? {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        var fds = [Int32](repeating: -1, count: 16)
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { return nil }
            var pollSet = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pollSet, 1, remaining.pollMilliseconds) > 0 else { continue }
            var count: Int32 = 0
            let n = cas_recv_with_fds(fd, &buffer, buffer.count, &fds, 16, &count)
            if n >= 0 { return (String(decoding: buffer[0..<n], as: UTF8.self), Array(fds.prefix(Int(count)))) }
        }
    }

    /// Plays systemd's file-descriptor store: applies every `FDSTORE=1` (with `FDNAME=`) and `FDSTOREREMOVE=1` to
    /// `store` (name to fds, in arrival order; removed fds are closed) until a message has the line `line`, and returns
    /// the messages seen. Throws after `timeout`.
    @discardableResult
    public func collectStore(_ store: inout [String: [Int32]], until line: String, timeout: Duration) throws
        -> [String]
    {
        let deadline = ContinuousClock.now + timeout
        var seen: [String] = []
        while let (message, fds) = receiveWithFDs(timeout: deadline - .now) {
            seen.append(message)
            let lines = message.split(separator: "\n").map(String.init)
            let name = lines.first { $0.hasPrefix("FDNAME=") }.map { String($0.dropFirst(7)) } ?? "stored"
            if lines.contains("FDSTORE=1") {
                store[name, default: []] += fds
            } else {
                fds.forEach { close($0) }
                if lines.contains("FDSTOREREMOVE=1") {
                    store[name]?.forEach { close($0) }
                    store[name] = nil
                }
            }
            if lines.contains(line) { return seen }
        }
        throw TestSupportError("no '\(line)' on \(path) within \(timeout); received \(seen)")
    }
}
