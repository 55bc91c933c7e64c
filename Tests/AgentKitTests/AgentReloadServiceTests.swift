import AgentKit
import Foundation
import RolloutTestSupport
import Testing

/// `ctl reload-service` against a real agent running the demo service with `--config`.
extension AgentProcessTests {
    @Suite("Agent reload-service", .serialized)
    struct AgentReloadServiceTests {
        /// A running agent whose demo service reads `<root>/shared/demo.conf`.
        static func fixture(readiness: String? = nil, environment: [String: String] = [:]) throws -> AgentFixture {
            let fixture = try AgentFixture.withReleases(["v1"])
            let config = "\(fixture.root)/shared/demo.conf"
            try FileManager.default.createDirectory(
                atPath: "\(fixture.root)/shared", withIntermediateDirectories: true)
            try "message = first\n".write(toFile: config, atomically: true, encoding: .utf8)
            fixture.command = ["\(fixture.root)/current/rollout-demo-service", "--config", config]
            if let readiness { fixture.readinessYAML = readiness }
            fixture.environment = environment
            try fixture.start()
            return fixture
        }

        static func writeConfig(_ fixture: AgentFixture, _ text: String) throws {
            try text.write(toFile: "\(fixture.root)/shared/demo.conf", atomically: true, encoding: .utf8)
        }

        @Test("notify: SIGHUP reaches the serving generation, RELOADING=1 then READY=1 confirm it; same pid; load ok")
        func notifyReloadUnderLoad() throws {
            let fixture = try Self.fixture()
            let pid = try #require(try fixture.servingPID())
            #expect(try fixture.get().body.contains("message=first\n"))
            let load = try LoadGenerator.start(
                .init(port: fixture.port, concurrency: 4, duration: .seconds(120), rate: 200))
            #expect(load.waitForSucceeded(50, timeout: .seconds(20)))

            try Self.writeConfig(fixture, "# reloaded\nmessage = second\n")
            let (status, answer) = try fixture.ctl("reload-service")
            #expect(status == 0, "\(answer) \(fixture.agentOutput)")
            #expect(answer.command == "reload-service")
            #expect(answer.outcome == "ok")
            #expect(answer.pid == pid)
            #expect(answer.signal == "SIGHUP")
            #expect(answer.confirmedBy == "notify")
            #expect(answer.version == "v1")
            #expect(try fixture.get().body.contains("message=second\n"))
            #expect(load.waitForSucceeded(load.progress.succeeded + 50, timeout: .seconds(20)))
            let report = load.stop()
            #expect(report.failed == 0, "\(report.summary)")
            #expect(try fixture.servingPID() == pid, "no restart")
            #expect(try fixture.status().restarts?.hot == 0)
            try fixture.shutdown()
        }

        @Test("a configuration the service rejects: outcome failed with ERRNO and STATUS; old text still served")
        func rejectedReload() throws {
            let fixture = try Self.fixture()
            let pid = try #require(try fixture.servingPID())
            try Self.writeConfig(fixture, "message = second\ncolour = blue\n")
            let (status, answer) = try fixture.ctl("reload-service")
            #expect(status == 1, "\(answer)")
            #expect(answer.outcome == "failed")
            #expect(answer.errno == Int(EINVAL))
            #expect(answer.serviceStatus?.contains("unknown key `colour`") == true, "\(answer)")
            #expect(answer.reason?.contains("rejected the new configuration") == true, "\(answer)")
            #expect(try fixture.get().body.contains("message=first\n"))
            #expect(try fixture.servingPID() == pid)

            // Fixed: the next reload is confirmed.
            try Self.writeConfig(fixture, "message = third\n")
            #expect(try fixture.ctl("reload-service").status == 0)
            #expect(try fixture.get().body.contains("message=third\n"))
            try fixture.shutdown()
        }

        @Test("refused while a restart is in progress, not queued; the restart completes")
        func refusedDuringRestart() throws {
            // A slow start keeps the restart in progress long enough to ask for a reload.
            let fixture = try Self.fixture(environment: ["DEMO_STARTUP_DELAY_MS": "1500"])
            let pid = try #require(try fixture.servingPID())
            let binary = fixture.agentBinary
            let socket = fixture.controlSocket
            let restart = DemoTest.Background { try runCommand(binary, ["ctl", "--socket", socket, "restart"]) }
            #expect(try DemoTest.eventually(timeout: .seconds(10)) { try fixture.status().state == "restarting" })
            let (status, refused) = try fixture.ctl("reload-service")
            #expect(status == 2, "\(refused)")
            #expect(refused.outcome == "refused")
            #expect(refused.reason?.contains("restart is in progress") == true, "\(refused)")
            #expect(try restart.value(timeout: .seconds(60)).status == 0)
            #expect(try fixture.servingPID() != pid, "the restart went ahead")
            #expect(try fixture.ctl("reload-service").status == 0, "accepted once the restart finished")
            try fixture.shutdown()
        }

        @Test("without notify, the readiness probe confirms; the configured signal is used (USR1 is not handled: exit)")
        func probeConfirmsAndSignalIsConfigurable() throws {
            let fixture = try Self.fixture(
                readiness: "  type: http\n  path: /health\n  interval: 100ms\n  timeout: 30s")
            let pid = try #require(try fixture.servingPID())
            try Self.writeConfig(fixture, "message = probed\n")
            let (status, answer) = try fixture.ctl("reload-service")
            #expect(status == 0, "\(answer)")
            #expect(answer.confirmedBy == "http")
            #expect(try fixture.get().body.contains("message=probed\n"))
            #expect(try fixture.servingPID() == pid)

            // A service killed by the reload signal it does not handle: the reload fails with its exit.
            fixture.extraYAML = "reload:\n  signal: USR1\n  timeout: 10s"
            try fixture.writeConfig()
            #expect(try fixture.ctl("reload").status == 0)
            let (failedStatus, failed) = try fixture.ctl("reload-service")
            #expect(failedStatus == 1, "\(failed)")
            #expect(failed.signal == "SIGUSR1")
            #expect(failed.reason?.contains("while reloading") == true, "\(failed)")
            try fixture.shutdown()
        }

        @Test("a slow reload: status says reloading, restart and another reload are refused; too slow is a failure")
        func slowReloadHoldsOtherOperations() throws {
            let fixture = try Self.fixture(environment: ["DEMO_RELOAD_DELAY_MS": "1500"])
            let pid = try #require(try fixture.servingPID())
            try Self.writeConfig(fixture, "message = slow\n")
            let binary = fixture.agentBinary
            let socket = fixture.controlSocket
            let reload = DemoTest.Background { try runCommand(binary, ["ctl", "--socket", socket, "reload-service"]) }
            #expect(try DemoTest.eventually(timeout: .seconds(10)) { try fixture.status().state == "reloading" })
            let (restartStatus, restart) = try fixture.ctl("restart")
            #expect(restartStatus == 2, "\(restart)")
            #expect(restart.reason?.contains("a reload of generation") == true, "\(restart)")
            let (againStatus, again) = try fixture.ctl("reload-service")
            #expect(againStatus == 2, "\(again)")
            #expect(try reload.value(timeout: .seconds(30)).status == 0)
            #expect(try fixture.get().body.contains("message=slow\n"))
            #expect(try fixture.status().state == "running")

            // Slower than reload.timeout: failed, and the service (still the same process) keeps serving.
            fixture.extraYAML = "reload:\n  timeout: 500ms"
            try fixture.writeConfig()
            #expect(try fixture.ctl("reload").status == 0)
            let (slowStatus, slow) = try fixture.ctl("reload-service")
            #expect(slowStatus == 1, "\(slow)")
            #expect(
                slow.reason?.contains("no READY=1 after RELOADING=1 from generation 1 within 500 ms") == true,
                "\(slow)")
            #expect(try fixture.servingPID() == pid)
            try fixture.shutdown()
        }
    }
}
