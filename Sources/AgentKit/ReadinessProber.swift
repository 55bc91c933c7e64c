internal import CAgentSupport
import Foundation
import Glibc

/// Runs HTTP/TCP readiness probes on their own short-lived threads (a probe blocks on connect and
/// read) and hands results back to the event loop through an eventfd it polls.
final class ReadinessProber: @unchecked Sendable {
    struct Result {
        var generation: Int
        var ready: Bool
        var detail: String
    }

    /// Polled by the event loop; readable when results are waiting.
    let wakeFD: Int32
    private let lock = NSLock()
    private var results: [Result] = []

    init() throws {
        wakeFD = try syscall("eventfd") { cas_eventfd() }
    }

    /// Starts one probe of `generation` (pid `pid`) against `address` in the background.
    func probe(generation: Int, pid: pid_t, readiness: ReadinessConfig, address: String) {
        let resolved = address.replacingOccurrences(of: "{generation}", with: String(generation))
            .replacingOccurrences(of: "{pid}", with: String(pid))
        let timeout = min(max(readiness.interval.milliseconds * 5, 1000), 5000)
        let kind = readiness.type
        let path = readiness.path
        let pidHeader = readiness.pidHeader
        let thread = Thread { [self] in
            let outcome: (Bool, String)
            if kind == .http {
                outcome = Self.httpProbe(
                    address: resolved, path: path, pidHeader: pidHeader, pid: pid, timeout: timeout)
            } else {
                outcome = Self.tcpProbe(address: resolved, timeout: timeout)
            }
            post(Result(generation: generation, ready: outcome.0, detail: outcome.1))
        }
        thread.start()
    }

    /// Takes every result posted since the last call.
    func takeResults() -> [Result] {
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, 8)
        lock.lock()
        defer { lock.unlock() }
        let taken = results
        results = []
        return taken
    }

    private func post(_ result: Result) {
        lock.lock()
        results.append(result)
        lock.unlock()
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    private static func tcpProbe(address: String, timeout: Int) -> (Bool, String) {
        do {
            let fd = try SocketAddress.connect(to: address, timeoutMilliseconds: timeout)
            close(fd)
            return (true, "connected to \(address)")
        } catch {
            return (false, "\(error)")
        }
    }

    private static func httpProbe(
        address: String, path: String, pidHeader: String?, pid: pid_t, timeout: Int
    ) -> (Bool, String) {
        do {
            let fd = try SocketAddress.connect(to: address, timeoutMilliseconds: timeout)
            defer { close(fd) }
            let host = address.hasPrefix("/") ? "localhost" : address
            try SocketAddress.writeAll(
                fd, Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8))
            let reply = String(decoding: try readHead(fd), as: UTF8.self)
            let lines = reply.split(separator: "\r\n", omittingEmptySubsequences: false)
            guard let status = lines.first, status.hasPrefix("HTTP/"), status.split(separator: " ").count >= 2 else {
                return (false, "no HTTP answer from \(address)")
            }
            let code = Int(status.split(separator: " ")[1]) ?? 0
            guard (200..<300).contains(code) else { return (false, "GET \(path) answered \(code)") }
            if let pidHeader {
                let prefix = pidHeader.lowercased() + ":"
                let value = lines.first { $0.lowercased().hasPrefix(prefix) }
                    .map { $0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
                guard value == String(pid) else { return (false, "answered by pid \(value ?? "?"), not \(pid)") }
            }
            return (true, "GET \(path) answered \(code)")
        } catch {
            return (false, "\(error)")
        }
    }

    /// Reads up to the end of the response head; the body does not matter (and a keep-alive server
    /// would never close the connection for us).
    private static func readHead(_ fd: Int32) throws -> [UInt8] {
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let terminator: [UInt8] = [13, 10, 13, 10]
        while head.count < 65536 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw AgentError.system("read") }
            if n == 0 { break }
            head += buffer[..<n]
            if let range = head.firstRange(of: terminator) { return Array(head[..<range.lowerBound]) }
        }
        return head
    }
}
