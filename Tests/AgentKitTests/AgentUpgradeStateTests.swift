import AgentKit
import Foundation
import RolloutTestSupport
import Testing

/// The upgrade state (`ROLLOUT_AGENT_STATE`) carries a schema: a binary that cannot read the running agent's state is
/// refused before the exec, and one started with a state it cannot read takes the service over instead of leaving it
/// orphaned. `rollout-agent-next-schema` is a test build whose state format differs (schema current+1).
extension AgentProcessTests {
    @Suite("Agent upgrade state is versioned", .serialized)
    struct AgentUpgradeStateTests {
        @Test("upgrade-agent to a binary with another state schema is refused before the exec, under load, 0 failed")
        func upgradeToAnotherSchemaIsRefused() throws {
            let fixture = try AgentFixture.running()
            let agentPID = try #require(fixture.agent?.pid)
            let servicePID = try #require(try fixture.servingPID())
            let nextSchema = try BuiltProducts.executable("rollout-agent-next-schema")
            let load = try LoadGenerator.start(
                LoadGenerator.Configuration(
                    port: fixture.port, concurrency: 8, duration: .seconds(120), requestTimeout: .seconds(30)))
            #expect(load.waitForSucceeded(100, timeout: .seconds(30)))

            let (status, answer) = try fixture.ctl("upgrade-agent", "--binary", nextSchema)
            #expect(status == 2, "refused: \(answer)")
            #expect(answer.outcome == "refused")
            let reason = answer.reason ?? ""
            #expect(reason.contains("cannot take over this agent's state"), "\(reason)")
            #expect(reason.contains("has schema \(AgentStateSchema.current)"), "\(reason)")
            #expect(reason.contains("reads schema \(AgentStateSchema.current + 1)"), "\(reason)")
            #expect(reason.contains("rollout-agent \(AgentVersion.current) keeps running"), "\(reason)")
            #expect(answer.version == AgentVersion.current, "the answer names the version that runs")
            #expect(answer.agent?.binary == fixture.agentBinary)

            let after = try fixture.status()
            #expect(after.agent?.pid == agentPID && after.agent?.upgrades == 0)
            #expect(after.generations?.map(\.pid) == [servicePID], "the service was not touched")
            let (restartStatus, restart) = try fixture.ctl("restart")
            #expect(restartStatus == 0 && restart.oldPid == servicePID, "still supervised: \(restart)")
            let report = load.stop()
            print("refused upgrade: \(report.summary)")
            #expect(report.failed == 0, "\(report.summary)")
            try fixture.shutdown()
        }

        @Test("run --check-state: exit 3 and both schemas named for a state it cannot read, exit 2 without one")
        func checkStateNamesTheSchemas() throws {
            let agent = try BuiltProducts.executable("rollout-agent")
            let unreadable = try runCommand(
                "/usr/bin/env", ["ROLLOUT_AGENT_STATE={\"schema\":99}", agent, "run", "--check-state"],
                timeout: .seconds(30))
            #expect(unreadable.status == 3, "\(unreadable.stdout)\(unreadable.stderr)")
            #expect(
                unreadable.stdout.contains("has schema 99; rollout-agent \(AgentVersion.current) reads schema 1, 2"))
            let missing = try runCommand(agent, ["run", "--check-state"], timeout: .seconds(30))
            #expect(missing.status == 2, "\(missing.stdout)")
        }

        @Test("started with a state it cannot read (after its predecessor died), it falls back to a takeover, 0 failed")
        func unreadableStateFallsBackToTakeover() throws {
            let fixture = try AgentFixture.running()
            let first = try #require(fixture.agent)
            let (load, servicePID, orphans) = try fixture.killAgentUnderLoad()
            defer { orphans.forEach { kill($0, SIGKILL) } }

            // What an exec by an agent with the current schema would hand it.
            let nextSchema = try BuiltProducts.executable("rollout-agent-next-schema")
            let second = try FixtureProcess(
                executable: nextSchema, arguments: ["run", "--config", fixture.configPath],
                environment: [
                    "PATH": "/usr/bin:/bin", "ROLLOUT_AGENT_STATE": "{\"schema\":\(AgentStateSchema.current)}",
                ])
            fixture.agent = second
            #expect(
                try DemoTest.eventually(timeout: .seconds(30)) { (try? fixture.status())?.agent?.pid == second.pid },
                "\(second.output)")
            let status = try fixture.status()
            #expect(status.generations?.map(\.pid) == [servicePID])
            #expect(status.generations?.first?.adopted == true)
            #expect(status.agent?.takeover?.fromPid == first.pid)
            #expect(second.output.contains("has schema \(AgentStateSchema.current)"), "\(second.output)")
            #expect(second.output.contains("falling back to a takeover"), "\(second.output)")
            let report = load.stop()
            print("fallback takeover: \(report.summary)")
            #expect(report.failed == 0, "\(report.summary)")
            #expect(report.pidsSeen == [servicePID])
            try fixture.shutdown()
            #expect(DemoTest.eventually { kill(servicePID, 0) != 0 || AgentFixture.isZombie(servicePID) })
        }
    }
}
