import Foundation

/// What a load run saw: every request attempt is either succeeded or failed, and every failed
/// one is counted under exactly one failure kind.
///
/// `failed == connectRefused + connectionReset + unexpectedEOF + timeouts + non2xx + otherErrors`
/// always holds. Nothing is retried: a failure is reported as it happened.
public struct LoadReport: Sendable, Codable, Equatable {
    /// Request attempts, including those whose connection could not even be opened.
    public var requests = 0
    /// Complete responses with a 2xx status.
    public var succeeded = 0
    public var failed = 0
    /// `connect` was refused (`ECONNREFUSED`): nothing was accepting on the address.
    public var connectRefused = 0
    /// The connection was reset (`ECONNRESET`, `EPIPE`) while sending the request or reading
    /// the response, or while connecting.
    public var connectionReset = 0
    /// The server closed the connection (clean EOF) before the whole response arrived.
    public var unexpectedEOF = 0
    /// Connecting or the whole request/response took longer than `requestTimeout`.
    public var timeouts = 0
    /// A complete response whose status was not 2xx.
    public var non2xx = 0
    /// Anything else: malformed responses, unexpected errno values.
    public var otherErrors = 0

    /// Connections opened (keep-alive reuses one for many requests).
    public var connectionsOpened = 0
    /// Keep-alive connections the server closed while idle, before a request was written on
    /// them (seen as EOF when checked before reuse). Not a failure: no request was lost, and a
    /// new connection is opened for the next one.
    public var idleClosedByServer = 0
    /// Responses with `Connection: close`, after which a new connection was opened. Not a failure.
    public var closedAfterResponse = 0

    /// Latency of the successful requests, in milliseconds (connect included when one was opened).
    public var latency = LatencySummary()
    /// Wall time from start to the last worker's end, in seconds.
    public var elapsedSeconds = 0.0
    public var requestsPerSecond = 0.0
    /// `X-Version` header values of successful responses, with their counts.
    public var versionsSeen: [String: Int] = [:]
    /// `X-Pid` header values of successful responses.
    public var pidsSeen: Set<Int32> = []
    /// Status codes of all complete responses, with their counts.
    public var statusCounts: [Int: Int] = [:]
    /// The first 20 failures, oldest first, as `+<seconds>s <what happened>`.
    public var errorsSample: [String] = []

    public init() {}

    public static let errorsSampleLimit = 20

    /// A one-paragraph summary for logs and test failure messages.
    public var summary: String {
        let versions = versionsSeen.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        var text = """
            \(requests) requests in \(String(format: "%.2f", elapsedSeconds))s \
            (\(String(format: "%.0f", requestsPerSecond))/s): \(succeeded) ok, \(failed) failed \
            [refused \(connectRefused), reset \(connectionReset), eof \(unexpectedEOF), timeout \(timeouts), \
            non-2xx \(non2xx), other \(otherErrors)]; connections \(connectionsOpened) \
            (closed idle \(idleClosedByServer), close after response \(closedAfterResponse)); \
            latency ms p50 \(latency.p50) p90 \(latency.p90) p99 \(latency.p99) max \(latency.max); \
            versions [\(versions)] pids \(pidsSeen.sorted())
            """
        if !errorsSample.isEmpty { text += "\nfirst errors:\n  " + errorsSample.joined(separator: "\n  ") }
        return text
    }
}

/// Latency percentiles in milliseconds (nearest-rank), 0 when there were no successful requests.
public struct LatencySummary: Sendable, Codable, Equatable {
    public var p50 = 0.0
    public var p90 = 0.0
    public var p99 = 0.0
    public var max = 0.0

    public init() {}

    /// Percentiles of `nanoseconds` (any order).
    init(nanoseconds: [UInt64]) {
        guard !nanoseconds.isEmpty else { return }
        let sorted = nanoseconds.sorted()
        func rank(_ percentile: Double) -> Double {
            let index = Int((percentile / 100 * Double(sorted.count)).rounded(.up)) - 1
            let value = sorted[Swift.min(Swift.max(index, 0), sorted.count - 1)]
            // Microsecond resolution is plenty and keeps JSON output readable.
            return (Double(value) / 1_000).rounded() / 1_000
        }
        p50 = rank(50)
        p90 = rank(90)
        p99 = rank(99)
        max = rank(100)
    }
}
