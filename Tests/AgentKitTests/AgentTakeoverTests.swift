import AgentKit
import Foundation
import RolloutTestSupport
import Testing

/// The agent dies (`kill -9`) and a new one is started for the same config: it takes the running service over
/// (listeners, log pipe, exits) without a gap, and supervises it from then on.
extension AgentProcessTests {
    @Suite("A new agent takes over the service a dead agent left", .serialized)
    struct AgentTakeoverTests {
        @Test("demo service logging every 10 ms, under load: kill -9, takeover, 5 hot restarts, 0 failed, stop")
        func demoServiceIsTakenOver() throws {
            let fixture = try AgentFixture.withReleases(["v1"])
            fixture.command += ["--log-every", "10"]
            try fixture.start()
            try Self.checkTakeover(fixture, load: .init(port: fixture.port, duration: .seconds(300)))
        }

        @Test("a Python service printing every 10 ms: the same")
        func pythonServiceIsTakenOver() throws {
            let fixture = try PythonService.loggingFixture(every: 10)
            try fixture.start()
            try Self.checkTakeover(fixture, load: .init(port: fixture.port, duration: .seconds(300)))
        }

        @Test("a Unix listener: the same socket file and accept queue before and after (no split brain)")
        func unixListenerIsTakenOver() throws {
            let fixture = try AgentFixture.withReleases(["v1"])
            fixture.command += ["--log-every", "10"]
            let path = "\(fixture.root)/run/web.sock"
            try FileManager.default.createDirectory(atPath: "\(fixture.root)/run", withIntermediateDirectories: true)
            fixture.listenersYAML += "  - name: web\n    unix: \(path)\n"
            try fixture.start()
            var load = LoadGenerator.Configuration(port: 0, duration: .seconds(300))
            load.unixSocketPath = path
            try Self.checkTakeover(fixture, load: load, unixPath: path)
            // The agent stopped: the path it created is gone, and while it ran it was the same file all along.
            #expect(!FileManager.default.fileExists(atPath: path))
        }

        @Test("takeover impossible (the service closed its listener): the new agent says why and touches nothing")
        func impossibleTakeoverLeavesTheServiceAlone() throws {
            let fixture = try AgentFixture.withReleases(["v1"])
            // Serves nothing and keeps no listener: a service that closed fd 3 after it started.
            fixture.command = ["/bin/sh", "-c", "exec 3<&-; exec sleep 600"]
            fixture.readinessYAML = "  type: delay\n  delay: 100ms\n  timeout: 10s"
            try fixture.start()
            let first = try #require(fixture.agent)
            let servicePID = try #require(try fixture.servingPID())
            defer { kill(-servicePID, SIGKILL) }
            first.signal(SIGKILL)
            _ = try first.waitForExit(timeout: .seconds(10))
            let recordPath = "\(fixture.root)/run/testsvc.takeover.json"
            let record = try String(contentsOfFile: recordPath, encoding: .utf8)

            let second = try FixtureProcess(
                executable: fixture.agentBinary, arguments: ["run", "--config", fixture.configPath],
                environment: ["PATH": "/usr/bin:/bin"])
            let status = try second.waitForExit(timeout: .seconds(30))
            #expect(status == 1)
            #expect(second.output.contains("takeover.listener"), "\(second.output)")
            #expect(second.output.contains("listener 'http' (tcp:127.0.0.1:\(fixture.port)) was not found"))
            #expect(second.output.contains("generation 1 (pid \(servicePID)) keeps serving unsupervised"))
            #expect(kill(servicePID, 0) == 0 && !AgentFixture.isZombie(servicePID), "the service was not touched")
            #expect(try String(contentsOfFile: recordPath, encoding: .utf8) == record, "the record was kept")
            #expect(!FileManager.default.fileExists(atPath: fixture.controlSocket) || (try? fixture.status()) == nil)
        }

        @Test("a second agent for the same config is refused while the first runs, and changes nothing")
        func secondAgentIsRefused() throws {
            let fixture = try AgentFixture.running()
            let first = try #require(fixture.agent)
            let servingPID = try fixture.servingPID()
            let second = try FixtureProcess(
                executable: fixture.agentBinary, arguments: ["run", "--config", fixture.configPath],
                environment: ["PATH": "/usr/bin:/bin"])
            #expect(try second.waitForExit(timeout: .seconds(30)) == 1)
            #expect(second.output.contains("agent.running"), "\(second.output)")
            #expect(second.output.contains("rollout-agent pid \(first.pid)"))
            #expect(try fixture.servingPID() == servingPID)
            #expect(try fixture.status().agent?.pid == first.pid)
            try fixture.shutdown()
        }

        /// Under `load`, `kill -9` of `fixture`'s agent, a new agent started for the same config takes the generation
        /// over (`status` shows it adopted, with the dead agent's pid), then 5 hot restarts; 0 failed requests
        /// throughout, the service's lines keep reaching the log, and `ctl stop` leaves no process of either agent.
        static func checkTakeover(
            _ fixture: AgentFixture, load configuration: LoadGenerator.Configuration, unixPath: String? = nil
        ) throws {
            func inode(_ path: String) -> ino_t? {
                var info = stat()
                return stat(path, &info) == 0 ? info.st_ino : nil
            }
            let socketFile = unixPath.flatMap(inode)
            let first = try #require(fixture.agent)
            let servingPID = try #require(try fixture.servingPID())
            // The first agent's processes (the service, its log holder) are no longer below the new agent.
            let firstProcesses = AgentFixture.descendants(of: first.pid)
            defer { firstProcesses.forEach { kill($0, SIGKILL) } }

            var configuration = configuration
            configuration.concurrency = 8
            configuration.keepAlive = false
            configuration.requestTimeout = .seconds(30)
            let load = try LoadGenerator.start(configuration)
            #expect(load.waitForSucceeded(100, timeout: .seconds(30)))

            first.signal(SIGKILL)
            #expect(try first.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
            Thread.sleep(forTimeInterval: 0.5)

            try fixture.start()
            let status = try fixture.status()
            let generation = try #require(status.generations?.first)
            #expect(status.generations?.count == 1)
            #expect(generation.pid == servingPID && generation.adopted == true && generation.state == "ready")
            #expect(status.agent?.takeover?.fromPid == first.pid)
            #expect(status.agent?.takeover?.generations == [generation.generation])
            #expect(status.agent?.takeover?.listenersFrom == "pidfd_getfd")
            #expect(status.listeners?.map(\.state).allSatisfy { $0 == "active" } == true)
            print("taken over in \(status.agent?.takeover?.takeoverMs ?? -1) ms")
            // The new agent reads the adopted generation's log again: the old holder handed it over and exited while
            // the generation still runs (left alone, it would relay until the generation ends).
            let oldHolders = firstProcesses.filter { $0 != servingPID }
            #expect(!oldHolders.isEmpty)
            #expect(
                DemoTest.eventually(timeout: .seconds(10)) {
                    oldHolders.allSatisfy { kill($0, 0) != 0 || AgentFixture.isZombie($0) }
                }, "the dead agent's log holder exits once the new agent has its pipe")
            #expect(kill(servingPID, 0) == 0)
            let linesAtTakeover = AgentOrphanTests.serviceLines(fixture, pid: servingPID).count
            #expect(
                DemoTest.eventually(timeout: .seconds(10)) {
                    AgentOrphanTests.serviceLines(fixture, pid: servingPID).count > linesAtTakeover + 20
                }, "the adopted generation's lines keep reaching the log")

            // A self-upgrade keeps the adopted generation (its pidfd is handed over like the other fds): the first
            // restart below only completes when the upgraded agent sees it exit.
            let newBinary = "\(fixture.root)/rollout-agent-new"
            try FileManager.default.copyItem(atPath: fixture.agentBinary, toPath: newBinary)
            let (upgradeStatus, upgraded) = try fixture.ctl("upgrade-agent", "--binary", newBinary)
            #expect(upgradeStatus == 0, "\(upgraded)")
            let afterUpgrade = try fixture.status()
            #expect(afterUpgrade.generations?.first?.adopted == true && afterUpgrade.agent?.upgrades == 1)
            #expect(afterUpgrade.agent?.takeover?.fromPid == first.pid)

            var pids: Set<Int32> = [servingPID]
            for round in 1...5 {
                let (code, answer) = try fixture.ctl("restart")
                #expect(code == 0 && answer.outcome == "ok", "restart \(round): \(answer)")
                if let pid = answer.newPid { pids.insert(pid) }
                #expect(answer.oldPid == (round == 1 ? servingPID : answer.oldPid))
            }
            #expect(pids.count == 6, "five new generations: \(pids.sorted())")
            if let unixPath {
                #expect(
                    socketFile != nil && inode(unixPath) == socketFile, "one socket file throughout: never re-bound")
            }
            let report = load.stop()
            print("kill -9 + takeover + 5 hot restarts: \(report.summary)")
            #expect(report.failed == 0, "\(report.summary)")
            #expect(report.succeeded > 200, "\(report.summary)")
            #expect(kill(servingPID, 0) != 0 || AgentFixture.isZombie(servingPID), "the adopted generation drained")

            try fixture.shutdown()
            let left = DemoTest.eventually(timeout: .seconds(10)) {
                firstProcesses.allSatisfy { kill($0, 0) != 0 || AgentFixture.isZombie($0) }
            }
            #expect(left, "the first agent's processes left behind")
            #expect(!FileManager.default.fileExists(atPath: "\(fixture.root)/run/testsvc.takeover.json"))
        }
    }
}
