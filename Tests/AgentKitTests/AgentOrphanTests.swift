import AgentKit
import Foundation
import RolloutTestSupport
import Testing

/// The agent dies (`kill -9`): the service it supervised keeps serving and logging.
extension AgentProcessTests {
    @Suite("Agent death leaves the service running", .serialized)
    struct AgentOrphanTests {
        /// Lines of generation 1 the service wrote with `--log-every`, as tagged in the service log.
        static func serviceLines(_ fixture: AgentFixture, pid: Int32) -> [String] {
            let text = (try? String(contentsOfFile: fixture.logPath, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map(String.init).filter {
                $0.contains(" gen=1 pid=\(pid) | log line ")
            }
        }

        @Test("kill -9 of the agent: a service logging every 10 ms with default SIGPIPE keeps serving and logging")
        func serviceSurvivesAgentKill() throws {
            let fixture = try AgentFixture.withReleases(["v1"])
            fixture.command += ["--log-every", "10"]
            try fixture.start()
            try Self.checkSurvivesAgentKill(fixture)
        }

        @Test("the same with a Python service printing every 10 ms with default SIGPIPE")
        func pythonServiceSurvivesAgentKill() throws {
            let fixture = try PythonService.loggingFixture(every: 10)
            try fixture.start()
            try Self.checkSurvivesAgentKill(fixture)
        }

        /// Under load, `kill -9` of `fixture`'s agent: 0 failed requests for 4 s afterwards, the same pid
        /// serves, it is alive and its lines keep reaching the log (tagged as the agent tags them).
        static func checkSurvivesAgentKill(_ fixture: AgentFixture) throws {
            let agent = try #require(fixture.agent)
            let servingPID = try #require(try fixture.servingPID())
            // The service and its log holder: cleaned up here, the agent cannot do it any more.
            let processes = AgentFixture.descendants(of: agent.pid)
            defer {
                kill(-servingPID, SIGKILL)
                for pid in processes { kill(pid, SIGKILL) }
            }
            #expect(processes.contains(servingPID))
            #expect(processes.count >= 2, "the service and its log holder run below the agent: \(processes)")
            #expect(
                DemoTest.eventually(timeout: .seconds(10)) { serviceLines(fixture, pid: servingPID).count >= 5 },
                "the agent tags the service's lines in the log")

            let load = try LoadGenerator.start(
                LoadGenerator.Configuration(
                    port: fixture.port, concurrency: 8, duration: .seconds(120), keepAlive: false,
                    requestTimeout: .seconds(30)))
            #expect(load.waitForSucceeded(100, timeout: .seconds(30)))

            agent.signal(SIGKILL)
            #expect(try agent.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
            let linesAtKill = serviceLines(fixture, pid: servingPID).count
            let succeededAtKill = load.progress.succeeded

            // A few seconds without the agent: the service writes ~100 lines a second all along.
            Thread.sleep(forTimeInterval: 4)
            let report = load.stop()
            print("agent killed: \(report.summary)")
            #expect(report.failed == 0, "\(report.summary)")
            #expect(report.succeeded > succeededAtKill + 100, "requests served after the agent died: \(report.summary)")
            #expect(report.pidsSeen == [servingPID], "the same generation served throughout")
            #expect(kill(servingPID, 0) == 0 && !AgentFixture.isZombie(servingPID), "the service is still alive")
            #expect(try fixture.get("/").headers["x-pid"] == String(servingPID))
            let linesAfter = serviceLines(fixture, pid: servingPID)
            #expect(
                linesAfter.count > linesAtKill + 100,
                "the service kept logging: \(linesAtKill) lines at the kill, \(linesAfter.count) after 4 s")
            // The holder's lines carry the agent's tag: `2026-11-22T02:10:54.566Z gen=1 pid=P | ...`.
            let last = linesAfter.last ?? ""
            #expect(
                last.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z gen=1 pid=\d+ \| log line \d+ .*/)
                    != nil,
                "last line: \(last)")

            // The service gone, its log holder ends by itself: nothing is left behind.
            kill(-servingPID, SIGKILL)
            let gone = DemoTest.eventually(timeout: .seconds(10)) {
                processes.allSatisfy { kill($0, 0) != 0 || AgentFixture.isZombie($0) }
            }
            #expect(gone, "left behind: \(processes.filter { kill($0, 0) == 0 && !AgentFixture.isZombie($0) })")
        }
    }
}
