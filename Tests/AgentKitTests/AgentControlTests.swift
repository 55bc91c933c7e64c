import AgentKit
import Foundation
import RolloutTestSupport
import Testing

/// Control socket, signals, reload and agent self-upgrade against a real agent.
extension AgentProcessTests {
    @Suite("Agent control and signals", .serialized)
    struct AgentControlTests {
        @Test("upgrade-agent under load: same agent pid, service pid unchanged, new binary runs, 0 failures")
        func selfUpgradeUnderLoad() throws {
            let fixture = try AgentFixture.running(["v1", "v2"])
            let agentPID = try #require(fixture.agent?.pid)
            let servicePID = try #require(try fixture.servingPID())
            let newBinary = "\(fixture.root)/rollout-agent-new"
            try FileManager.default.copyItem(atPath: fixture.agentBinary, toPath: newBinary)

            let load = try LoadGenerator.start(
                LoadGenerator.Configuration(
                    port: fixture.port, concurrency: 32, duration: .seconds(120), requestTimeout: .seconds(30)))
            #expect(load.waitForSucceeded(100, timeout: .seconds(30)))

            let (badStatus, bad) = try fixture.ctl("upgrade-agent", "--binary", "/bin/true")
            #expect(badStatus == 1, "\(bad)")
            #expect(bad.reason?.contains("expected 'rollout-agent VERSION'") == true)

            // The config in force travels with the upgrade; a broken file on disk does not matter.
            try "service: [broken".write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
            let (status, answer) = try fixture.ctl("upgrade-agent", "--binary", newBinary)
            #expect(status == 0, "\(answer) \(fixture.agentOutput)")
            #expect(answer.agent?.binary == newBinary)
            #expect(answer.agent?.pid == agentPID)
            #expect(answer.agent?.upgrades == 1)
            #expect(answer.version == AgentVersion.current)
            Thread.sleep(forTimeInterval: 1)
            let after = try fixture.status()
            #expect(after.agent?.binary == newBinary)
            #expect(after.generations?.map(\.pid) == [servicePID], "the service was not touched")

            // The upgraded agent still owns everything: a hot restart and its reaping work.
            try fixture.activate("v2")
            let (restartStatus, restart) = try fixture.ctl("restart")
            #expect(restartStatus == 0, "\(restart)")
            #expect(restart.oldPid == servicePID)
            #expect(kill(servicePID, 0) != 0, "the old generation was reaped by the new agent binary")
            let report = load.stop()
            print("self-upgrade: \(report.summary)")
            #expect(report.failed == 0, "\(report.summary)")
            #expect(report.pidsSeen.contains(servicePID))
            try fixture.shutdown()
        }

        @Test("HUP adds a listener (handed over at the next restart); removing it closes it once unused")
        func hupAddsListener() throws {
            let fixture = try AgentFixture.running()
            let agent = try #require(fixture.agent)
            let unixPath = "\(fixture.root)/run/admin.sock"
            let original = fixture.listenersYAML
            fixture.listenersYAML += "  - name: admin\n    unix: \(unixPath)\n    mode: \"0660\"\n"
            try fixture.writeConfig()
            agent.signal(SIGHUP)
            #expect(try DemoTest.eventually(timeout: .seconds(10)) { try fixture.status().listeners?.count == 2 })
            var info = stat()
            #expect(stat(unixPath, &info) == 0 && info.st_mode & 0o777 == 0o660)

            let (status, answer) = try fixture.ctl("restart")
            #expect(status == 0, "\(answer)")
            let viaUnix = try HTTPTestClient.get(.unix(path: unixPath), "/", timeout: .seconds(30))
            #expect(viaUnix.status == 200)
            #expect(viaUnix.headers["x-pid"] == answer.newPid.map(String.init))
            #expect(try fixture.get("/").status == 200, "the TCP listener kept working")
            #expect(try fixture.status().generations?.first?.listeners == ["http", "admin"])

            fixture.listenersYAML = original
            try fixture.writeConfig()
            let (reloadStatus, reload) = try fixture.ctl("reload")
            #expect(reloadStatus == 0)
            #expect(reload.listenersRemoved == ["admin"])
            #expect(
                reload.listeners?.first { $0.name == "admin" }?.state == "retired",
                "still used by the running generation")
            #expect(try fixture.ctl("restart").status == 0)
            #expect(try fixture.status().listeners?.map(\.name) == ["http"])
            #expect(!FileManager.default.fileExists(atPath: unixPath), "closed and removed once unused")
            try fixture.shutdown()
        }

        @Test("the service runs as `user:` with the listener and its notify socket usable")
        func runsAsConfiguredUser() throws {
            let fixture = try AgentFixture.withReleases(["v1"])
            fixture.extraYAML = "user: nobody"
            try fixture.start()
            let pid = try #require(try fixture.servingPID())
            let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
            let uid = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }
            #expect(uid?.split(separator: "\t").dropFirst().allSatisfy { $0 == "65534" } == true, "\(uid ?? "")")
            #expect(try fixture.get("/").status == 200)
            try fixture.shutdown()
        }

        @Test("TERM with requests in flight: they complete, then everything exits, no zombie remains")
        func termDrainsInFlightRequests() throws {
            let fixture = try AgentFixture.running()
            let servicePID = try #require(try fixture.servingPID())
            let port = fixture.port
            let slow = (0..<4).map { _ in
                DemoTest.Background {
                    try HTTPTestClient.get(
                        .loopback(host: "127.0.0.1", port: port), "/slow?ms=2000", timeout: .seconds(60))
                }
            }
            Thread.sleep(forTimeInterval: 0.5)
            try fixture.shutdown(signal: SIGTERM)
            for request in slow {
                let response = try request.value(timeout: .seconds(30))
                #expect(response.status == 200)
                #expect(response.headers["x-pid"] == String(servicePID))
            }
            #expect(kill(servicePID, 0) != 0)
        }

        @Test("ctl stop answers after the service stopped; the control socket is 0600 and other users are refused")
        func stopAndPermissions() throws {
            let fixture = try AgentFixture.running()
            var info = stat()
            #expect(stat(fixture.controlSocket, &info) == 0 && info.st_mode & 0o777 == 0o600)
            let runuser = try BuiltProducts.tool("runuser")
            let other = try runCommand(
                runuser,
                ["-u", "nobody", "--", fixture.agentBinary, "ctl", "--socket", fixture.controlSocket, "status"])
            #expect(other.status == 3, "another user cannot control the agent: \(other.stdout) \(other.stderr)")
            let usage = try runCommand(fixture.agentBinary, ["ctl", "--socket", fixture.controlSocket, "dance"])
            #expect(usage.status == 64)
            let servicePID = try #require(try fixture.servingPID())
            let (status, answer) = try fixture.ctl("stop")
            #expect(status == 0 && answer.outcome == "ok")
            #expect(kill(servicePID, 0) != 0, "the service is gone when stop answers")
            let agent = try #require(fixture.agent)
            #expect(try agent.waitForExit(timeout: .seconds(30)) == 0)
            let missing = try runCommand(fixture.agentBinary, ["ctl", "--socket", fixture.controlSocket, "status"])
            #expect(missing.status == 3)
        }
    }
}
