import Foundation
import RolloutTestSupport
import Testing

/// `rollout agent install` on a host whose agent was killed (`kill -9`) while its service kept serving: the agent it
/// starts takes the service over. Real sshd hosts and agents, load on the service throughout.
@Suite("rollout agent install recovers a host whose agent died", .serialized)
struct AgentInstallRecoveryTests {
    @Test("agent killed on h1: install says recovered, the same service pid serves throughout, 0 failed requests")
    func installRecoversADeadAgent() throws {
        let fixture = try DeployFixture(hosts: 2)
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        let v1 = try fixture.deploy("v1")
        #expect(v1.status == 0, "\(v1.stdout)\(v1.stderr)")

        let h1 = try #require(fixture.cluster.hosts.first { $0.name == "h1" })
        let port = try #require(fixture.ports["h1"])
        let servicePID = try HTTPTestClient.get(.loopback(host: "127.0.0.1", port: port), "/").headers["x-pid"]
        let pidFile = h1.rootDirectory + "/srv/agent.pid"
        let agentPID = try #require(
            Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))

        let load = try LoadGenerator.start(.init(port: port, concurrency: 4, duration: .seconds(300), rate: 200))
        #expect(load.waitForSucceeded(50, timeout: .seconds(20)))
        kill(agentPID, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        while kill(agentPID, 0) == 0 && !Self.isZombie(agentPID) && Date() < deadline { usleep(20_000) }

        let install = try fixture.rollout(
            ["agent", "install", "--inventory", "lab", "--playbook", "demo", "--init", "none", "--output", "json"])
        #expect(load.waitForSucceeded(load.progress.succeeded + 50, timeout: .seconds(20)))
        let report = load.stop()
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        let hosts = try Self.results(install.stdout)
        #expect(hosts["h1"]?["result"] as? String == "recovered", "\(install.stdout)")
        #expect((hosts["h1"]?["changed"] as? [String])?.contains("took over from dead agent pid \(agentPID)") == true)
        #expect(hosts["h2"]?["result"] as? String == "unchanged", "\(install.stdout)")
        #expect(report.failed == 0, "\(report.summary)")
        #expect(
            Set(report.pidsSeen.map { String($0) }) == Set([servicePID].compactMap { $0 }),
            "never restarted: \(report.summary)")

        // The new agent supervises it: a deploy hot-restarts h1 through it.
        let newAgent = try String(contentsOfFile: pidFile, encoding: .utf8)
        #expect(Int32(newAgent.trimmingCharacters(in: .whitespacesAndNewlines)) != agentPID)
        let v2 = try fixture.deploy("v2")
        #expect(v2.status == 0, "\(v2.stdout)\(v2.stderr)")
        #expect(fixture.servedVersions()["h1"] == "v2")
    }

    static func isZombie(_ pid: Int32) -> Bool {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    /// `agent install --output json`: the host entries by name.
    static func results(_ stdout: String) throws -> [String: [String: Any]] {
        let hosts = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: hosts.compactMap { h in (h["host"] as? String).map { ($0, h) } })
    }
}
