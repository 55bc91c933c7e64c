import AgentKit
import Foundation
import RolloutTestSupport
import Testing

/// Releases that fail, services that crash, restarts that collide: the old generation keeps serving.
extension AgentProcessTests {
    @Suite("Agent failure handling", .serialized)
    struct AgentFailureTests {
        @Test(
            "a release that crashes at start and one that never becomes ready: failed, the old one serves, 0 failures")
        func failingReleases() throws {
            let fixture = try AgentFixture()
            let demo = try BuiltProducts.executable("rollout-demo-service")
            try fixture.addRelease("v1")
            try fixture.addRelease("crash", script: "exec \(demo) --fail-at-start")
            try fixture.addRelease("stuck", script: "exec \(demo) --never-ready")
            try fixture.activate("v1")
            fixture.readinessYAML = "  type: notify\n  timeout: 4s"
            try fixture.start()
            let servingPID = try #require(try fixture.servingPID())

            let load = try LoadGenerator.start(
                LoadGenerator.Configuration(
                    port: fixture.port, concurrency: 32, duration: .seconds(120), requestTimeout: .seconds(30)))
            #expect(load.waitForSucceeded(100, timeout: .seconds(30)))

            try fixture.activate("crash")
            let (crashStatus, crash) = try fixture.ctl("restart")
            #expect(crashStatus == 1)
            #expect(crash.outcome == "failed")
            #expect(crash.reason?.contains("before it was ready") == true, "\(crash)")
            #expect(crash.oldPid == servingPID)
            #expect(
                crash.logTail?.contains { $0.contains("failing at start") } == true, "log tail: \(crash.logTail ?? [])")

            try fixture.activate("stuck")
            let (stuckStatus, stuck) = try fixture.ctl("restart")
            #expect(stuckStatus == 1)
            #expect(stuck.outcome == "failed")
            #expect(stuck.reason?.contains("not ready within 4000 ms") == true, "\(stuck)")
            #expect(stuck.newPid.map { kill($0, 0) != 0 } == true, "the stuck generation was killed")

            Thread.sleep(forTimeInterval: 1)
            let report = load.stop()
            print("failing releases: \(report.summary)")
            #expect(report.failed == 0, "\(report.summary)")
            #expect(report.pidsSeen == [servingPID], "only the old generation served")
            #expect(try fixture.servingPID() == servingPID)
            #expect(try fixture.get("/").headers["x-pid"] == String(servingPID))
            let status = try fixture.status()
            #expect(status.restarts?.failed == 2)
            #expect(status.generations?.count == 1)
            try fixture.shutdown()
        }

        @Test("a crash of the running service restarts it with backoff, without a busy loop")
        func crashRestartsWithBackoff() throws {
            let fixture = try AgentFixture()
            let demo = try BuiltProducts.executable("rollout-demo-service")
            try fixture.addRelease("v1")
            try fixture.addRelease("v2")
            try fixture.addRelease("broken", script: "exec \(demo) --fail-at-start")
            try fixture.activate("v1")
            try fixture.start()
            let first = try #require(try fixture.servingPID())

            try fixture.activate("v2")
            kill(first, SIGKILL)
            var second: Int32?
            #expect(
                try DemoTest.eventually(timeout: .seconds(30)) {
                    second = try fixture.servingPID()
                    return second != nil && second != first
                })
            #expect(try fixture.get("/").headers["x-version"] == "v2")
            var status = try fixture.status()
            #expect(status.restarts?.crashes == 1)
            #expect(status.restarts?.crashRestarts == 1)

            // Every start now fails: attempts must be spaced by the backoff (200, 400, 800 ms ... up to 2 s),
            // never a busy loop.
            try fixture.activate("broken")
            let killed = ContinuousClock.now
            kill(try #require(second), SIGKILL)
            #expect(
                try DemoTest.eventually(timeout: .seconds(30)) { (try fixture.status().restarts?.failed ?? 0) >= 3 })
            let elapsed = ContinuousClock.now - killed
            status = try fixture.status()
            #expect(elapsed >= .milliseconds(600), "3 failed starts need at least 200 + 400 ms of backoff")
            #expect((status.restarts?.failed ?? 0) <= 6, "no busy loop: \(status.restarts?.failed ?? 0) attempts")
            #expect(["backoff", "starting"].contains(status.state ?? ""), "\(status.state ?? "")")

            try fixture.activate("v1")
            #expect(try DemoTest.eventually(timeout: .seconds(30)) { try fixture.status().state == "running" })
            #expect(try fixture.get("/").headers["x-version"] == "v1")
            let zombies = AgentFixture.zombies(of: fixture.agent?.pid ?? 0)
            #expect(zombies.isEmpty)
            try fixture.shutdown()
        }

        @Test("a restart requested while one is in progress is refused, not queued")
        func concurrentRestartRefused() throws {
            let fixture = try AgentFixture.withReleases(["v1", "v2"])
            fixture.environment["DEMO_STARTUP_DELAY_MS"] = "1500"
            try fixture.start()
            try fixture.activate("v2")
            let binary = fixture.agentBinary
            let socket = fixture.controlSocket
            let first = DemoTest.Background { try runCommand(binary, ["ctl", "--socket", socket, "restart"]) }
            #expect(try DemoTest.eventually(timeout: .seconds(10)) { try fixture.status().state == "restarting" })
            let (status, refused) = try fixture.ctl("restart")
            #expect(status == 2)
            #expect(refused.outcome == "refused")
            #expect(refused.reason?.contains("already in progress") == true)
            let firstResult = try first.value(timeout: .seconds(60))
            #expect(firstResult.status == 0, "\(firstResult.stdout)")
            let after = try fixture.status()
            #expect(after.restarts?.hot == 1, "the refused request was not queued")
            #expect(after.generations?.count == 1)
            try fixture.shutdown()
        }
    }
}
