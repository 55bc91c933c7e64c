import Foundation

/// One worker of a load run: a sequential loop of requests on its own thread.
struct LoadWorker {
    let run: LoadRun
    let index: Int

    /// Sends requests until the run says stop; returns what it counted.
    func loop() -> WorkerStats {
        let configuration = run.configuration
        var stats = WorkerStats()
        let plainRequest = Self.request(path: configuration.path, configuration: configuration, target: run.target)
        let slowRequest = Self.request(
            path: "/slow?ms=\(configuration.slowMilliseconds)", configuration: configuration, target: run.target)
        var connection: LoadConnection?
        var sent = 0
        // With a rate limit, workers start spread over one interval and then keep to it.
        let interval = configuration.workerInterval
        var nextStart = ContinuousClock.now + (interval ?? .zero) * index / configuration.concurrency
        while run.waitUntil(nextStart), run.claimRequest() {
            // Evenly spread: request n is slow when the running total of the share crosses an integer.
            let share = configuration.slowShare
            let isSlow = share > 0 && Int(Double(sent + 1) * share) > Int(Double(sent) * share)
            sent += 1
            let started = ContinuousClock.now
            if let interval { nextStart = max(nextStart + interval, started) }
            let deadline = started + configuration.requestTimeout
            stats.report.requests += 1
            do throws(LoadConnection.Failure) {
                if let open = connection, open.isClosedByPeer {
                    stats.report.idleClosedByServer += 1
                    connection = nil
                }
                if connection == nil {
                    connection = try LoadConnection(to: run.target, deadline: deadline)
                    stats.report.connectionsOpened += 1
                }
                let open = connection!
                try open.send(isSlow ? slowRequest : plainRequest, deadline: deadline)
                let response = try open.receiveResponse(deadline: deadline)
                let latency = ContinuousClock.now - started
                if !configuration.keepAlive {
                    open.awaitServerClose(deadline: deadline)
                    connection = nil
                } else if response.closes {
                    stats.report.closedAfterResponse += 1
                    connection = nil
                }
                stats.record(response, latency: latency, at: started - run.startedAt)
            } catch {
                // The connection's state is unknown after any failure; never reuse it.
                connection = nil
                stats.record(error, at: started - run.startedAt, worker: index)
            }
            if stats.lastOutcomeFailed {
                run.liveFailed.add(1, ordering: .relaxed)
            } else {
                run.liveSucceeded.add(1, ordering: .relaxed)
            }
        }
        return stats
    }

    private static func request(path: String, configuration: LoadGenerator.Configuration, target: LocalAddress)
        -> [UInt8]
    {
        let host: String
        switch target {
        case .loopback(let address, let port): host = "\(address):\(port)"
        case .unix: host = "localhost"
        }
        var text = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: rollout-loadgen\r\n"
        if !configuration.keepAlive { text += "Connection: close\r\n" }
        return Array((text + "\r\n").utf8)
    }
}
