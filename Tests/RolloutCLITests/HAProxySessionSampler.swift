import Foundation
import RolloutTestSupport

/// Reads HAProxy's own session counts (`show stat`, column `scur`) for every server of a backend every 100 ms on
/// the TCP admin socket, independently of rollout's driver, so a test can hold the journal against HAProxy.
final class HAProxySessionSampler: @unchecked Sendable {
    struct Sample {
        var at: Date
        var sessions: [String: Int]
    }

    private let lock = NSLock()
    private var samples: [Sample] = []
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    init(address: String, backend: String) {
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                if let text = try? Self.showStat(address), !text.isEmpty {
                    let sample = Sample(at: Date(), sessions: Self.sessions(text, backend: backend))
                    lock.withLock { samples.append(sample) }
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            finished.signal()
        }
    }

    /// Stops sampling and returns every sample, oldest first.
    func stop() -> [Sample] {
        lock.withLock { running = false }
        finished.wait()
        return lock.withLock { samples }
    }

    /// `scur` per server of `backend` in a `show stat` answer, columns found by the header's names.
    static func sessions(_ text: String, backend: String) -> [String: Int] {
        let lines = text.split(separator: "\n")
        guard let header = lines.first(where: { $0.hasPrefix("# ") }) else { return [:] }
        let columns = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard let px = columns.firstIndex(of: "pxname"), let sv = columns.firstIndex(of: "svname"),
            let scur = columns.firstIndex(of: "scur")
        else { return [:] }
        var result: [String: Int] = [:]
        for line in lines where !line.hasPrefix("#") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count > max(px, sv, scur), fields[px] == backend, fields[sv] != "BACKEND" else { continue }
            result[fields[sv]] = Int(fields[scur])
        }
        return result
    }

    /// One `show stat` over TCP (`127.0.0.1:PORT`): HAProxy answers and closes.
    private static func showStat(_ address: String) throws -> String {
        guard let port = address.split(separator: ":").last.flatMap({ UInt16($0) }) else { return "" }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var limit = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var peer = sockaddr_in()
        peer.sin_family = sa_family_t(AF_INET)
        peer.sin_port = port.bigEndian
        peer.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return "" }
        let request = Array("show stat\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return "" }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer += buffer[..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
