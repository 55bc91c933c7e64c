import AgentKit
import Foundation
import RolloutTestSupport
import Testing

/// The conformance tests: hot restarts under load with zero failed requests.
extension AgentProcessTests {
    @Suite("Agent handoff under load", .serialized)
    struct AgentHandoffTests {
        @Test("12 hot restarts under load (32 connections, >= 20 s), some during /slow requests: 0 failures")
        func hotRestartsUnderLoad() throws {
            try runConformance(startupDelayMilliseconds: 0)
        }

        @Test("the same with a service that takes 1 s to start before READY=1")
        func hotRestartsWithSlowStartup() throws {
            try runConformance(startupDelayMilliseconds: 1000)
        }

        private func runConformance(startupDelayMilliseconds: Int) throws {
            let fixture = try AgentFixture()
            let restarts = 12
            for index in 0...restarts { try fixture.addRelease("v\(index + 1)") }
            try fixture.activate("v1")
            if startupDelayMilliseconds > 0 {
                fixture.environment["DEMO_STARTUP_DELAY_MS"] = "\(startupDelayMilliseconds)"
            }
            try fixture.start()

            let load = try LoadGenerator.start(
                LoadGenerator.Configuration(
                    port: fixture.port, concurrency: 32, duration: .seconds(300), keepAlive: true,
                    requestTimeout: .seconds(30), slowShare: 0.02, slowMilliseconds: 2000))
            let began = ContinuousClock.now
            var report: LoadReport?
            defer { if report == nil { _ = load.stop() } }
            #expect(load.waitForSucceeded(200, timeout: .seconds(60)))

            var previousPID = try #require(try fixture.servingPID())
            var slowDuringRestart: [DemoTest.Background<HTTPTestClient.Response>] = []
            for index in 1...restarts {
                let version = "v\(index + 1)"
                try fixture.activate(version)
                if index % 3 == 0 {
                    // A slow request in flight on the old generation while the handoff happens.
                    let port = fixture.port
                    slowDuringRestart.append(
                        DemoTest.Background {
                            try HTTPTestClient.get(
                                .loopback(host: "127.0.0.1", port: port), "/slow?ms=2000", timeout: .seconds(60))
                        })
                    Thread.sleep(forTimeInterval: 0.3)
                }
                let (status, answer) = try fixture.ctl("restart")
                #expect(status == 0, "restart \(index): \(answer)")
                #expect(answer.outcome == "ok")
                #expect(answer.oldPid == previousPID)
                #expect(answer.newPid != previousPID)
                #expect(answer.version == version)
                #expect(answer.release == "\(fixture.root)/releases/\(version)")
                if startupDelayMilliseconds > 0 { #expect((answer.readyMs ?? 0) >= startupDelayMilliseconds) }
                let served = try fixture.get("/")
                #expect(served.headers["x-pid"] == answer.newPid.map(String.init), "the new generation serves")
                #expect(served.headers["x-version"] == version)
                previousPID = answer.newPid ?? 0
                Thread.sleep(forTimeInterval: 0.5)
            }
            while ContinuousClock.now - began < .seconds(21) { Thread.sleep(forTimeInterval: 0.1) }
            report = load.stop()
            let final = try #require(report)
            print("conformance (startup delay \(startupDelayMilliseconds) ms): \(final.summary)")
            #expect(final.failed == 0, "\(final.summary)")
            #expect(final.connectRefused == 0 && final.connectionReset == 0)
            #expect(final.succeeded > 1000, "\(final.summary)")
            #expect(final.pidsSeen.count >= restarts + 1, "every generation served load: \(final.summary)")
            #expect(final.versionsSeen.count >= restarts + 1, "\(final.summary)")
            for slow in slowDuringRestart {
                let response = try slow.value(timeout: .seconds(60))
                #expect(response.status == 200, "a slow request across a restart completed")
            }
            #expect(slowDuringRestart.count == restarts / 3)
            let status = try fixture.status()
            #expect(status.restarts?.hot == restarts)
            #expect(status.restarts?.failed == 0)
            #expect(status.generations?.count == 1)
            let zombies = AgentFixture.zombies(of: fixture.agent?.pid ?? 0)
            #expect(zombies.isEmpty)
            try fixture.shutdown()
        }
    }
}
