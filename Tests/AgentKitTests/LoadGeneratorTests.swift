import Foundation
import RolloutTestSupport
import Testing

@Suite("Load generator", .serialized)
struct LoadGeneratorTests {
    @Test("every request to a closed port is counted as refused, and the run is bounded")
    func countsRefusedConnections() throws {
        let listener = try TestListener.loopbackTCP()
        let port = listener.port
        listener.close()

        let report = try LoadGenerator.run(.init(port: port, concurrency: 4, duration: .seconds(5), maxRequests: 200))

        #expect(report.requests == 200, "\(report.summary)")
        #expect(report.connectRefused == 200, "\(report.summary)")
        #expect(report.failed == 200)
        #expect(report.succeeded == 0)
        #expect(report.errorsSample.count == LoadReport.errorsSampleLimit)
        #expect(report.errorsSample.allSatisfy { $0.hasPrefix("+") && $0.contains("Connection refused") })
    }

    @Test("a rate caps the attempts per second over all workers")
    func rateLimitsAttempts() throws {
        let listener = try TestListener.loopbackTCP()
        let port = listener.port
        listener.close()

        // Refused connects fail at once, so without the cap this would be thousands of attempts.
        let report = try LoadGenerator.run(.init(port: port, concurrency: 4, duration: .seconds(1), rate: 40))

        #expect(report.requests <= 40 + 4, "\(report.summary)")
        #expect(report.requests >= 4, "every worker sent at least once: \(report.summary)")
    }

    @Test("a connection reset in the middle of a response is a failure counted as a reset")
    func countsResets() throws {
        let server = try LoadGeneratorTestServer(.resetMidResponse)
        defer { server.stop() }

        let report = try LoadGenerator.run(
            .init(port: server.port, concurrency: 2, duration: .seconds(5), maxRequests: 20))

        #expect(report.requests == 20, "\(report.summary)")
        #expect(report.connectionReset == 20, "\(report.summary)")
        #expect(report.failed == 20)
        #expect(report.succeeded == 0)
    }

    @Test("a clean close in the middle of a response is a failure counted as unexpected EOF")
    func countsEOFMidResponse() throws {
        let server = try LoadGeneratorTestServer(.eofMidResponse)
        defer { server.stop() }

        let report = try LoadGenerator.run(
            .init(port: server.port, concurrency: 2, duration: .seconds(5), maxRequests: 20))

        #expect(report.unexpectedEOF == 20, "\(report.summary)")
        #expect(report.failed == 20)
        #expect(report.connectionReset == 0)
    }

    @Test("a keep-alive connection the server closes after 'Connection: close' is not a failure")
    func connectionCloseIsNotAFailure() throws {
        let server = try LoadGeneratorTestServer(.closeAfterResponse)
        defer { server.stop() }

        let report = try LoadGenerator.run(
            .init(port: server.port, concurrency: 2, duration: .seconds(5), maxRequests: 30, keepAlive: true))

        #expect(report.succeeded == 30, "\(report.summary)")
        #expect(report.failed == 0)
        #expect(report.closedAfterResponse == 30)
        #expect(report.connectionsOpened == 30)
        #expect(report.versionsSeen == ["scripted": 30])
    }

    @Test("versions, pids and non-2xx statuses of a real service are reported")
    func reportsVersionsPidsAndStatuses() throws {
        let service = try DemoServiceProcess.start(.init(version: "lg-1"))
        defer { service.stop() }
        try service.waitUntilReady()
        let port = try #require(service.port)

        let ok = try LoadGenerator.run(.init(port: port, concurrency: 4, duration: .seconds(5), maxRequests: 100))
        #expect(ok.succeeded == 100, "\(ok.summary)")
        #expect(ok.versionsSeen == ["lg-1": 100])
        #expect(ok.pidsSeen == [service.pid])
        #expect(ok.statusCounts == [200: 100])
        #expect(ok.connectionsOpened == 4)
        #expect(ok.latency.max >= ok.latency.p50 && ok.latency.p50 > 0)

        let missing = try LoadGenerator.run(
            .init(port: port, concurrency: 2, duration: .seconds(5), maxRequests: 10, path: "/missing"))
        #expect(missing.non2xx == 10, "\(missing.summary)")
        #expect(missing.failed == 10)
        #expect(missing.statusCounts == [404: 10])
    }

    @Test("without keep-alive every request opens its own connection")
    func connectionPerRequest() throws {
        let service = try DemoServiceProcess.start()
        defer { service.stop() }
        try service.waitUntilReady()
        let port = try #require(service.port)

        let report = try LoadGenerator.run(
            .init(port: port, concurrency: 4, duration: .seconds(5), maxRequests: 80, keepAlive: false))

        #expect(report.succeeded == 80, "\(report.summary)")
        #expect(report.connectionsOpened == 80)
    }

    @Test("the background handle reports progress and stops on request")
    func backgroundHandle() throws {
        let service = try DemoServiceProcess.start()
        defer { service.stop() }
        try service.waitUntilReady()
        let port = try #require(service.port)

        let handle = try LoadGenerator.start(.init(port: port, concurrency: 2, duration: .seconds(60)))
        #expect(handle.waitForSucceeded(50, timeout: .seconds(10)))
        let report = handle.stop()
        #expect(handle.isFinished)
        #expect(report.succeeded >= 50, "\(report.summary)")
        #expect(report.failed == 0)
        #expect(report.elapsedSeconds < 30)
    }

    @Test(
        "targets off this machine or out of range are refused before any request",
        arguments: [
            ("10.0.0.1", LoadGeneratorError.Code.nonLoopbackTarget),
            ("192.168.1.1", .nonLoopbackTarget),
            ("localhost", .nonLoopbackTarget),
            ("example.com", .nonLoopbackTarget),
            ("::1", .nonLoopbackTarget),
        ])
    func refusesNonLoopbackTargets(host: String, code: LoadGeneratorError.Code) throws {
        let error = try #require(throws: LoadGeneratorError.self) {
            try LoadGenerator.run(.init(host: host, port: 80, concurrency: 1, duration: .seconds(1), maxRequests: 1))
        }
        #expect(error.code == code)
    }

    @Test("invalid settings are refused")
    func refusesInvalidSettings() throws {
        let invalid: [LoadGenerator.Configuration] = [
            .init(port: 0, duration: .seconds(1)),
            .init(port: 8080, concurrency: 0, duration: .seconds(1)),
            .init(port: 8080, duration: .zero),
            .init(port: 8080, duration: .seconds(1), maxRequests: 0),
            .init(port: 8080, duration: .seconds(1), path: "no-slash"),
            .init(port: 8080, duration: .seconds(1), slowShare: 2),
        ]
        for configuration in invalid {
            let error = try #require(throws: LoadGeneratorError.self) { try LoadGenerator.start(configuration) }
            #expect(error.code == .invalidConfiguration)
        }
    }
}
