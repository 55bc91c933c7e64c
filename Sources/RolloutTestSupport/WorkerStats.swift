import Foundation

/// What one worker counted; merged into a `LoadReport` when the run ends.
struct WorkerStats {
    var report = LoadReport()
    var latencies: [UInt64] = []
    /// The worker's first failures, with their time since the run started.
    var errors: [(offset: Duration, text: String)] = []
    private(set) var lastOutcomeFailed = false

    mutating func record(_ response: LoadConnection.Response, latency: Duration, at offset: Duration) {
        report.statusCounts[response.status, default: 0] += 1
        guard (200..<300).contains(response.status) else {
            report.failed += 1
            report.non2xx += 1
            lastOutcomeFailed = true
            remember("HTTP status \(response.status) (X-Pid \(response.headers["x-pid"] ?? "-"))", at: offset)
            return
        }
        report.succeeded += 1
        lastOutcomeFailed = false
        let (seconds, attoseconds) = latency.components
        latencies.append(UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000))
        if let version = response.headers["x-version"] { report.versionsSeen[version, default: 0] += 1 }
        if let pid = response.headers["x-pid"].flatMap({ Int32($0) }) { report.pidsSeen.insert(pid) }
    }

    mutating func record(_ failure: LoadConnection.Failure, at offset: Duration, worker: Int) {
        report.failed += 1
        lastOutcomeFailed = true
        let text: String
        switch failure {
        case .refused(let what):
            report.connectRefused += 1
            text = what
        case .reset(let what):
            report.connectionReset += 1
            text = what
        case .unexpectedEOF(let what):
            report.unexpectedEOF += 1
            text = what
        case .timeout(let what):
            report.timeouts += 1
            text = what
        case .other(let what):
            report.otherErrors += 1
            text = what
        }
        remember("worker \(worker): \(text)", at: offset)
    }

    private mutating func remember(_ text: String, at offset: Duration) {
        if errors.count < LoadReport.errorsSampleLimit { errors.append((offset, text)) }
    }

    /// Adds up the workers' counts; percentiles and the error sample are taken over all of them.
    static func merge(_ workers: [WorkerStats], elapsed: Duration) -> LoadReport {
        var total = LoadReport()
        for worker in workers {
            let part = worker.report
            total.requests += part.requests
            total.succeeded += part.succeeded
            total.failed += part.failed
            total.connectRefused += part.connectRefused
            total.connectionReset += part.connectionReset
            total.unexpectedEOF += part.unexpectedEOF
            total.timeouts += part.timeouts
            total.non2xx += part.non2xx
            total.otherErrors += part.otherErrors
            total.connectionsOpened += part.connectionsOpened
            total.idleClosedByServer += part.idleClosedByServer
            total.closedAfterResponse += part.closedAfterResponse
            total.versionsSeen.merge(part.versionsSeen, uniquingKeysWith: +)
            total.statusCounts.merge(part.statusCounts, uniquingKeysWith: +)
            total.pidsSeen.formUnion(part.pidsSeen)
        }
        total.latency = LatencySummary(nanoseconds: workers.flatMap(\.latencies))
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        total.elapsedSeconds = (seconds * 1000).rounded() / 1000
        total.requestsPerSecond = seconds > 0 ? (Double(total.requests) / seconds).rounded() : 0
        total.errorsSample = workers.flatMap(\.errors).sorted { $0.offset < $1.offset }
            .prefix(LoadReport.errorsSampleLimit)
            .map {
                String(
                    format: "+%.3fs ",
                    Double($0.offset.components.seconds)
                        + Double($0.offset.components.attoseconds) / 1e18) + $0.text
            }
        return total
    }
}
