import AgentKit
import Foundation
import RolloutTestSupport
import Testing

/// `ctl restart --cold`: the old generation is gone before the new one starts, nothing is refused in
/// between, and a new release that fails leaves the previous release serving again.
extension AgentProcessTests {
    @Suite("Agent cold restart", .serialized)
    struct AgentColdRestartTests {
        @Test("cold restarts under load with /slow requests in flight: old pid gone before the new start, 0 failures")
        func coldRestartsUnderLoad() throws {
            let fixture = try AgentFixture()
            let demo = try BuiltProducts.executable("rollout-demo-service")
            let witness = "\(fixture.root)/witness"
            try fixture.addRelease("v1")
            // Each new release records, from inside the new process before it serves, whether the pid the
            // test wrote to `old.pid` still exists: the agent's own timings are not the only evidence.
            for version in ["v2", "v3"] {
                try fixture.addRelease(
                    version,
                    script: """
                        if kill -0 "$(cat \(fixture.root)/old.pid)" 2>/dev/null; then state=alive; else state=gone; fi
                        echo "\(version) $state" >> \(witness)
                        exec \(demo)
                        """)
            }
            try fixture.activate("v1")
            try fixture.start()

            let load = try LoadGenerator.start(
                LoadGenerator.Configuration(
                    port: fixture.port, concurrency: 16, duration: .seconds(300), requestTimeout: .seconds(30),
                    rate: 200))
            var report: LoadReport?
            defer { if report == nil { _ = load.stop() } }
            #expect(load.waitForSucceeded(100, timeout: .seconds(60)))

            var previousPID = try #require(try fixture.servingPID())
            var slowRequests: [DemoTest.Background<HTTPTestClient.Response>] = []
            for version in ["v2", "v3"] {
                try "\(previousPID)".write(toFile: "\(fixture.root)/old.pid", atomically: true, encoding: .utf8)
                try fixture.activate(version)
                let port = fixture.port
                slowRequests.append(
                    DemoTest.Background {
                        try HTTPTestClient.get(
                            .loopback(host: "127.0.0.1", port: port), "/slow?ms=2000", timeout: .seconds(60))
                    })
                Thread.sleep(forTimeInterval: 0.3)
                let (status, answer) = try fixture.ctl("restart", "--cold")
                #expect(status == 0, "\(answer)")
                #expect(answer.outcome == "ok")
                #expect(answer.mode == "cold")
                #expect(answer.oldPid == previousPID)
                let newPID = try #require(answer.newPid)
                #expect(newPID != previousPID)
                #expect(answer.version == version)
                // The slow request held the old generation for about 2 s before it could exit.
                let stopped = try #require(answer.oldStopMs)
                let started = try #require(answer.newStartMs)
                #expect(stopped >= 1000, "\(answer)")
                #expect(stopped <= started, "the old generation exited before the new one was spawned: \(answer)")
                #expect(answer.oldKilled == false)
                #expect(kill(previousPID, 0) != 0)
                #expect(try fixture.get("/").headers["x-pid"] == String(newPID))
                previousPID = newPID
                Thread.sleep(forTimeInterval: 0.5)
            }
            report = load.stop()
            let final = try #require(report)
            print("cold restarts: \(final.summary)")
            #expect(final.failed == 0, "\(final.summary)")
            #expect(final.connectRefused == 0 && final.connectionReset == 0, "\(final.summary)")
            for slow in slowRequests {
                #expect(try slow.value(timeout: .seconds(60)).status == 200, "a slow request across a cold restart")
            }
            let witnessed = try String(contentsOfFile: witness, encoding: .utf8)
            #expect(witnessed == "v2 gone\nv3 gone\n", "what each new release saw of the old pid: \(witnessed)")
            let status = try fixture.status()
            #expect(status.generations?.count == 1)
            #expect(status.restarts?.failed == 0)
            try fixture.shutdown()
        }

        @Test("a cold restart to a release that crashes or never becomes ready: failed, the previous release serves")
        func failingReleaseRestoresThePrevious() throws {
            let fixture = try AgentFixture()
            let demo = try BuiltProducts.executable("rollout-demo-service")
            try fixture.addRelease("v1")
            try fixture.addRelease("crash", script: "exec \(demo) --fail-at-start")
            try fixture.addRelease("stuck", script: "exec \(demo) --never-ready")
            try fixture.activate("v1")
            fixture.readinessYAML = "  type: notify\n  timeout: 4s"
            try fixture.start()
            var servingPID = try #require(try fixture.servingPID())

            for (release, why) in [("crash", "before it was ready"), ("stuck", "not ready within 4000 ms")] {
                try fixture.activate(release)
                let (status, answer) = try fixture.ctl("restart", "--cold")
                #expect(status == 1, "\(answer)")
                #expect(answer.outcome == "failed")
                #expect(answer.mode == "cold")
                #expect(answer.reason?.contains(why) == true, "\(answer)")
                #expect(answer.reason?.contains("the previous release v1 serves again") == true, "\(answer)")
                #expect(answer.oldPid == servingPID)
                #expect(answer.version == release, "the answer names the release that failed")
                let restored = try #require(answer.restoredPid, "\(answer)")
                #expect(answer.restoredVersion == "v1")
                #expect(restored != servingPID, "the previous release runs in a new process")
                #expect(kill(servingPID, 0) != 0, "the old process was stopped first")
                let served = try fixture.get("/")
                #expect(served.headers["x-version"] == "v1")
                #expect(served.headers["x-pid"] == String(restored))
                servingPID = restored
            }
            let status = try fixture.status()
            #expect(status.state == "running")
            #expect(status.generations?.count == 1)
            #expect(status.generations?.first?.version == "v1")
            #expect(status.restarts?.failed == 2)
            try fixture.shutdown()
        }

        @Test("a cold restart is refused while another restart runs, and a bad mode is a usage error")
        func refusalsAndBadMode() throws {
            let fixture = try AgentFixture.running(["v1", "v2"])
            let port = fixture.port
            let slow = DemoTest.Background {
                try HTTPTestClient.get(.loopback(host: "127.0.0.1", port: port), "/slow?ms=3000", timeout: .seconds(60))
            }
            Thread.sleep(forTimeInterval: 0.3)
            try fixture.activate("v2")
            let socket = fixture.controlSocket
            let first = DemoTest.Background {
                try ControlClient.send(
                    ControlRequest(command: "restart", mode: "cold"), socketPath: socket, timeoutSeconds: 60
                ).response
            }
            var refused: ControlResponse?
            #expect(
                try DemoTest.eventually(timeout: .seconds(10)) {
                    let (_, answer) = try fixture.ctl("restart")
                    refused = answer
                    return answer.outcome == "refused"
                })
            let reason = refused?.reason ?? ""
            #expect(reason.contains("cold restart: stopping generation 1"), "\(reason)")
            let answer = try first.value(timeout: .seconds(60))
            #expect(answer.outcome == "ok" && answer.mode == "cold" && answer.version == "v2", "\(answer)")
            #expect(try slow.value(timeout: .seconds(60)).status == 200)

            let (_, bad) = try ControlClient.send(
                ControlRequest(command: "restart", mode: "lukewarm"), socketPath: socket, timeoutSeconds: 10)
            #expect(bad.outcome == "error" && bad.reason?.contains("unknown restart mode") == true, "\(bad)")
            try fixture.shutdown()
        }
    }
}
