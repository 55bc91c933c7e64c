import Foundation

/// A bounded HTTP/1.1 load generator for services on this machine, used by the zero-downtime
/// tests and the benchmarks.
///
/// Guarantees:
/// - only `127.0.0.0/8` or a Unix socket is ever contacted (anything else is refused up front);
/// - the run ends at `duration` or after `maxRequests` attempts, whichever comes first, and a
///   request in flight then is finished within `requestTimeout`, never abandoned;
/// - nothing is retried: every attempt is counted once, as a success or under exactly one
///   failure kind (see `LoadReport`);
/// - each of the `concurrency` workers is a plain thread with a blocking loop, so the load does
///   not depend on (or starve) Swift concurrency's small cooperative pool.
///
/// With `keepAlive` a worker reuses its connection until the server says `Connection: close`
/// (then it opens a new one, which is not a failure); without it every request gets a new
/// connection, which exercises `accept` on the server.
public struct LoadGenerator {
    /// What to send, where, and for how long.
    public struct Configuration: Sendable {
        /// Dotted IPv4 address in `127.0.0.0/8`; host names are refused.
        public var host: String = "127.0.0.1"
        public var port: Int
        /// When set, connect to this Unix stream socket instead of `host:port`.
        public var unixSocketPath: String?
        /// Parallel connections, one worker thread each (1...1024).
        public var concurrency: Int = 32
        /// How long to send requests (at most 1 hour).
        public var duration: Duration
        /// Stop after this many request attempts, when set.
        public var maxRequests: Int?
        /// The request target, e.g. `/` or `/health`.
        public var path: String = "/"
        /// Reuse connections (true) or open a new connection for every request (false).
        public var keepAlive: Bool = true
        /// The limit for connect, send and the complete response of one request.
        public var requestTimeout: Duration = .seconds(10)
        /// Share of requests (0...1) sent to `/slow?ms=slowMilliseconds` instead of `path`,
        /// spread evenly over each worker's requests.
        public var slowShare: Double = 0
        public var slowMilliseconds: Int = 1000
        /// When set, the most requests per second sent in total: each worker waits
        /// `concurrency / rate` seconds between the starts of its requests. Without it every
        /// worker sends as fast as the server answers, which on a small machine can starve
        /// whatever the test is measuring of CPU.
        public var rate: Int?

        public init(
            host: String = "127.0.0.1", port: Int, unixSocketPath: String? = nil, concurrency: Int = 32,
            duration: Duration, maxRequests: Int? = nil, path: String = "/", keepAlive: Bool = true,
            requestTimeout: Duration = .seconds(10), slowShare: Double = 0, slowMilliseconds: Int = 1000,
            rate: Int? = nil
        ) {
            self.host = host
            self.port = port
            self.unixSocketPath = unixSocketPath
            self.concurrency = concurrency
            self.duration = duration
            self.maxRequests = maxRequests
            self.path = path
            self.keepAlive = keepAlive
            self.requestTimeout = requestTimeout
            self.slowShare = slowShare
            self.slowMilliseconds = slowMilliseconds
            self.rate = rate
        }

        /// The time between the starts of one worker's requests, when the rate is limited.
        var workerInterval: Duration? {
            rate.map { .nanoseconds(Int64(concurrency) * 1_000_000_000 / Int64($0)) }
        }

        /// The address to contact, after checking every setting.
        func validatedTarget() throws -> LocalAddress {
            guard (1...1024).contains(concurrency) else {
                throw LoadGeneratorError(.invalidConfiguration, "concurrency must be 1...1024, got \(concurrency)")
            }
            guard duration > .zero, duration <= .seconds(3600) else {
                throw LoadGeneratorError(.invalidConfiguration, "duration must be more than 0 and at most 1 hour")
            }
            guard requestTimeout > .zero else {
                throw LoadGeneratorError(.invalidConfiguration, "requestTimeout must be more than 0")
            }
            if let maxRequests, maxRequests < 1 {
                throw LoadGeneratorError(.invalidConfiguration, "maxRequests must be at least 1, got \(maxRequests)")
            }
            guard path.hasPrefix("/"), !path.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else {
                throw LoadGeneratorError(
                    .invalidConfiguration, "path must start with / and contain no spaces: '\(path)'")
            }
            guard (0...1).contains(slowShare), slowMilliseconds >= 0 else {
                throw LoadGeneratorError(.invalidConfiguration, "slowShare must be 0...1 and slowMilliseconds >= 0")
            }
            if let rate, rate < 1 {
                throw LoadGeneratorError(.invalidConfiguration, "rate must be at least 1 request per second, got \(rate)")
            }
            if let unixSocketPath { return .unix(path: unixSocketPath) }
            return try LocalAddress.validatedLoopback(host: host, port: port)
        }
    }

    /// Runs the load to its end (duration or `maxRequests`), or until `stop` returns true
    /// (checked every 10 ms), and returns the report. Blocks the calling thread.
    public static func run(_ configuration: Configuration, until stop: (@Sendable () -> Bool)? = nil) throws
        -> LoadReport
    {
        let handle = try start(configuration)
        while !handle.isFinished {
            if let stop, stop() { return handle.stop() }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return handle.wait()
    }

    /// Starts the load in the background and returns at once; the handle stops it and reports.
    public static func start(_ configuration: Configuration) throws -> Handle {
        let target = try configuration.validatedTarget()
        let run = LoadRun(configuration: configuration, target: target)
        for index in 0..<configuration.concurrency {
            run.group.enter()
            let thread = Thread {
                let stats = LoadWorker(run: run, index: index).loop()
                run.finish(stats)
            }
            thread.name = "loadgen-\(index)"
            thread.stackSize = 512 * 1024
            thread.start()
        }
        return Handle(run: run)
    }
}
