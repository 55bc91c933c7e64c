import Foundation
import RolloutTestSupport
import Testing

/// The `drain` strategy through the `command` gateway (run on the controller): every host drained is restored,
/// on success, on failure and on Ctrl-C.
@Suite("rollout deploy: drain through the command gateway", .serialized)
struct DeployGatewayTests {
    /// A drain playbook whose gateway appends `drain h1` / `restore h1` to a log; `status` prints `connections`
    /// (or runs `status`, a command that prints the count).
    static func drainPlaybook(
        log: String, connections: Int = 0, status: String? = nil, deadline: String = "5s", onTimeout: String? = nil
    ) -> String {
        """
        serial: 1
        strategy: drain
        gateway:
          type: command
          on: controller
          drain: "echo drain {{ host.name }} >> \(log)"
          restore: "echo restore {{ host.name }} >> \(log)"
          status: "\(status ?? "echo \(connections)")"
          drain_deadline: \(deadline)
          poll_interval: 200ms
        \(onTimeout.map { "  on_drain_timeout: \($0)" } ?? "")
        """
    }

    func gatewayLog(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test("each host is drained, switched, restarted, verified and restored in turn; a failed release is restored too")
    func drainAndRestore() throws {
        let log = NSTemporaryDirectory() + "gateway-\(UUID().uuidString).log"
        let fixture = try DeployFixture(hosts: 2, playbookExtra: Self.drainPlaybook(log: log))
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        let v1 = try fixture.deploy("v1")
        #expect(v1.status == 0, "\(v1.stdout)\(v1.stderr)")
        #expect(gatewayLog(log) == ["drain h1", "restore h1", "drain h2", "restore h2"])
        let detail = try json(try fixture.rollout(["show", "1", "--output", "json"]))
        let phases = (try hostsByName(detail)["h1"]?["phases"] as? [[String: Any]] ?? []).compactMap {
            $0["name"] as? String
        }
        #expect(phases == ["prepare", "upload", "drain", "switch", "restart", "verify", "undrain", "cleanup"])

        try FileManager.default.removeItem(atPath: log)
        try fixture.stageCrashingRelease()
        let bad = try fixture.deploy("v2")
        #expect(bad.status == 1, "\(bad.stdout)\(bad.stderr)")
        #expect(gatewayLog(log) == ["drain h1", "restore h1"], "the failed host is put back, the next never drained")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" })
    }

    @Test("Ctrl-C during a drain: the host in flight finishes and is restored, the rest is skipped, exit 6")
    func interruptRestores() throws {
        let log = NSTemporaryDirectory() + "gateway-\(UUID().uuidString).log"
        // Connections never reach 0: the drain wait lasts its whole deadline, the window for the interrupts.
        let fixture = try DeployFixture(
            hosts: 2, playbookExtra: Self.drainPlaybook(log: log, connections: 3, deadline: "3s", onTimeout: "proceed"))
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)

        let first = try DeployBackground(
            fixture, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v1"])
        #expect(first.waitForPhase("drain", host: "h1"))
        first.kill(SIGINT)
        #expect(first.wait() == 6, "\(first.stderr)")
        #expect(gatewayLog(log) == ["drain h1", "restore h1"])
        let finished = first.allEvents.last
        #expect(finished?["event"] as? String == "rollout_finished")
        #expect(finished?["status"] as? String == "aborted")
        let hosts = try hostsByName(try json(try fixture.rollout(["show", "1", "--output", "json"])))
        #expect(hosts["h1"]?["status"] as? String == "succeeded")
        #expect(hosts["h2"]?["status"] as? String == "skipped")
        let events = (try json(try fixture.rollout(["show", "1", "--output", "json"]))["events"] as? [[String: Any]])?
            .compactMap { $0["kind"] as? String }
        #expect(events?.contains("rollout.interrupted") == true, "\(events ?? [])")

        // Twice: the host stops before its next step and is still restored; resume then finishes the rollout.
        try FileManager.default.removeItem(atPath: log)
        let second = try DeployBackground(fixture, ["resume", "1"])
        #expect(second.waitForPhase("drain", host: "h2"))
        second.kill(SIGINT)
        Thread.sleep(forTimeInterval: 0.3)
        second.kill(SIGINT)
        #expect(second.wait() == 6, "\(second.stderr)")
        #expect(gatewayLog(log) == ["drain h2", "restore h2"])
        let h2 = try hostsByName(try json(try fixture.rollout(["show", "1", "--output", "json"])))["h2"]
        let phases = (h2?["phases"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(!phases.contains("switch"), "stopped before switching: \(phases)")
        #expect(phases.last == "undrain")

        let resumed = try fixture.rollout(["resume", "1"])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" })
    }

    @Test("connections left at the drain deadline: the default `fail` restores the host unchanged; `proceed` restarts")
    func drainDeadlineChoice() throws {
        let log = NSTemporaryDirectory() + "gateway-\(UUID().uuidString).log"
        let fixture = try DeployFixture(
            hosts: 1, playbookExtra: Self.drainPlaybook(log: log, connections: 2, deadline: "1s"))
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)

        let failed = try fixture.deploy("v1")
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        #expect(gatewayLog(log) == ["drain h1", "restore h1"])
        #expect(fixture.servedVersions()["h1"] ?? nil == nil, "never switched nor started")
        let first = try hostsByName(try json(try fixture.rollout(["show", "1", "--output", "json"])))["h1"]
        let phases = first?["phases"] as? [[String: Any]] ?? []
        #expect(phases.compactMap { $0["name"] as? String } == ["prepare", "upload", "drain", "undrain"])
        let drainError = phases.first { $0["name"] as? String == "drain" }?["error"] as? String ?? ""
        #expect(drainError.contains("still had 2 connection(s)"), "\(drainError)")
        #expect(drainError.contains("on_drain_timeout: fail"), "\(drainError)")

        // The same rollout with `proceed`: restarted with the connections open, and the journal says so.
        try FileManager.default.removeItem(atPath: log)
        let playbook = DeployFixture.playbook(
            extra: Self.drainPlaybook(log: log, connections: 2, deadline: "1s", onTimeout: "proceed"), successes: 1)
        try playbook.write(toFile: fixture.project + "/playbooks/demo.yml", atomically: true, encoding: .utf8)
        let plan = try fixture.rollout(["plan", "--inventory", "lab", "--playbook", "demo", "--version", "v1"])
        #expect(plan.stdout.contains("at the deadline with connections left: restart anyway"), "\(plan.stdout)")
        let proceeded = try fixture.deploy("v1")
        #expect(proceeded.status == 0, "\(proceeded.stdout)\(proceeded.stderr)")
        #expect(fixture.servedVersions()["h1"] == "v1")
        let second = try hostsByName(try json(try fixture.rollout(["show", "2", "--output", "json"])))["h1"]
        let drain = (second?["phases"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "drain" }
        let wait = (drain?["detail"] as? [String: Any])?["wait"] as? [String: Any]
        #expect(wait?["on_timeout"] as? String == "proceed")
        #expect(wait?["connections"] as? Int == 2)
        #expect(wait?["proceeded_with_connections"] as? Bool == true)
    }

    @Test("a second Ctrl-C cuts the step in flight (a two-minute drain wait) and the host is still restored")
    func secondInterruptCutsTheStepInFlight() throws {
        let log = NSTemporaryDirectory() + "gateway-\(UUID().uuidString).log"
        // Connections never reach 0 and the deadline is two minutes: only a cut ends the drain wait early.
        let fixture = try DeployFixture(
            hosts: 1, playbookExtra: Self.drainPlaybook(log: log, connections: 3, deadline: "2m"))
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)

        let run = try DeployBackground(
            fixture, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v1"])
        #expect(run.waitForPhase("drain", host: "h1"))
        run.kill(SIGINT)
        Thread.sleep(forTimeInterval: 0.3)
        run.kill(SIGINT)
        // Well under the drain deadline; `wait` SIGKILLs a controller still running at its timeout (status 9).
        #expect(run.wait(timeout: .seconds(45)) == 6, "\(run.stderr)")
        #expect(gatewayLog(log) == ["drain h1", "restore h1"])
        let h1 = try hostsByName(try json(try fixture.rollout(["show", "1", "--output", "json"])))["h1"]
        let phases = h1?["phases"] as? [[String: Any]] ?? []
        let drain = phases.first { $0["name"] as? String == "drain" }
        #expect(drain?["status"] as? String == "interrupted", "\(phases)")
        #expect(phases.last?["name"] as? String == "undrain" && phases.last?["status"] as? String == "ok")
    }
}
