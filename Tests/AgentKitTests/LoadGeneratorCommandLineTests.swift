import Foundation
import RolloutTestSupport
import Synchronization
import Testing

@Suite("Load generator: command line and modes", .serialized)
struct LoadGeneratorCommandLineTests {
    @Test("options are parsed into a configuration")
    func parsesOptions() throws {
        let (configuration, json) = try LoadGenerator.Configuration.parse(commandLine: [
            "--port", "8080", "--concurrency", "8", "--duration", "1500ms", "--max-requests", "100", "--path",
            "/health",
            "--no-keep-alive", "--timeout", "2s", "--slow-share", "0.25", "--slow-ms", "50", "--rate", "400", "--json",
        ])
        #expect(json)
        #expect(configuration.port == 8080)
        #expect(configuration.concurrency == 8)
        #expect(configuration.duration == .milliseconds(1500))
        #expect(configuration.maxRequests == 100)
        #expect(configuration.path == "/health")
        #expect(!configuration.keepAlive)
        #expect(configuration.requestTimeout == .seconds(2))
        #expect(configuration.slowShare == 0.25 && configuration.slowMilliseconds == 50)
        #expect(configuration.rate == 400)
        #expect(
            try LoadGenerator.Configuration.parse(commandLine: ["--port", "1", "--duration", "2m"]).0.duration
                == .seconds(120))
    }

    @Test(
        "bad options and off-machine hosts are usage errors with exit status 2",
        arguments: [
            ["--port", "80", "--host", "10.1.2.3"], ["--port", "80", "--duration", "soon"], ["--port", "80", "--rate", "0"],
            ["--bogus"], [],
        ])
    func rejectsBadOptions(arguments: [String]) {
        let printed = Mutex<[String]>([])
        let status = LoadGenerator.commandLineMain(arguments) { line in printed.withLock { $0.append(line) } }
        #expect(status == 2)
        #expect(printed.withLock { $0.joined() }.contains("usage: load"))
    }

    @Test("--json prints the report as JSON and the exit status says whether requests failed")
    func jsonOutputAndStatus() throws {
        let service = try DemoServiceProcess.start(.init(version: "cli"))
        defer { service.stop() }
        try service.waitUntilReady()
        let port = try #require(service.port)
        let printed = Mutex<[String]>([])
        let collect: (String) -> Void = { line in printed.withLock { $0.append(line) } }

        let ok = LoadGenerator.commandLineMain(
            ["--port", "\(port)", "--concurrency", "2", "--max-requests", "20", "--json"], print: collect)
        let report = try JSONDecoder().decode(LoadReport.self, from: Data(printed.withLock { $0.last! }.utf8))
        #expect(ok == 0)
        #expect(report.succeeded == 20 && report.versionsSeen == ["cli": 20])

        let failing = LoadGenerator.commandLineMain(
            ["--port", "\(port)", "--concurrency", "1", "--max-requests", "3", "--path", "/missing"], print: collect)
        #expect(failing == 1)
        #expect(printed.withLock { $0.last! }.contains("non-2xx 3"))
    }

    @Test("run(until:) ends when the condition turns true, long before the duration")
    func runUntil() throws {
        let service = try DemoServiceProcess.start()
        defer { service.stop() }
        try service.waitUntilReady()
        let stopAt = ContinuousClock.now + .milliseconds(300)

        let report = try LoadGenerator.run(
            .init(port: try #require(service.port), concurrency: 2, duration: .seconds(600))
        ) { .now >= stopAt }

        #expect(report.succeeded > 0 && report.failed == 0, "\(report.summary)")
        #expect(report.elapsedSeconds < 60)
    }

    @Test("a Unix socket target and a share of /slow requests")
    func unixSocketAndSlowShare() throws {
        let listener = try TestListener.unix(path: "/tmp/rollout-lg-\(UUID().uuidString.prefix(8)).sock")
        let service = try DemoServiceProcess.start(.init(version: "unix", listeners: [listener]))
        defer { service.stop() }
        try service.waitUntilReady()
        guard case .unix(let path) = listener.address else {
            Issue.record("not a unix socket")
            return
        }

        let report = try LoadGenerator.run(
            .init(
                port: 0, unixSocketPath: path, concurrency: 2, duration: .seconds(20), maxRequests: 40, slowShare: 0.5,
                slowMilliseconds: 50))

        #expect(report.succeeded == 40, "\(report.summary)")
        #expect(report.versionsSeen == ["unix": 40])
        // Half the requests waited 50 ms in the service, so the 90th percentile cannot be lower.
        #expect(report.latency.p90 >= 50)
        #expect(report.latency.p50 < report.latency.p90)
    }
}
