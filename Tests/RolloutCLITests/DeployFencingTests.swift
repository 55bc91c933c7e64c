import Foundation
import RolloutTestSupport
import Testing

/// Fencing on the hosts: a controller that lost the fleet to another one (here: SIGSTOPped while a second controller,
/// with its own journal in another working directory, deployed the same hosts) is refused by the agents when it
/// continues, stops with `lock lost` and touches no other host. Real sshd hosts, real agents, a drain gateway.
@Suite("rollout deploy: fencing tokens on the hosts", .serialized)
struct DeployFencingTests {
    /// Each host's agent: the serving generation's number and pid, and the highest fencing token it has seen.
    func agents(_ fixture: DeployFixture) throws -> [String: (generation: Int, pid: Int32, fence: Int64?)] {
        var result: [String: (generation: Int, pid: Int32, fence: Int64?)] = [:]
        for host in fixture.cluster.hosts {
            let root = host.rootDirectory + "/srv"
            let output = try runCommand(
                root + "/bin/rollout-agent", ["ctl", "--socket", root + "/agent.sock", "status"])
            let status = try json(output)
            let ready = (status["generations"] as? [[String: Any]] ?? []).first { $0["state"] as? String == "ready" }
            result[host.name] = (
                ready?["generation"] as? Int ?? -1, Int32(ready?["pid"] as? Int ?? -1),
                (status["highest_fence"] as? NSNumber)?.int64Value
            )
        }
        return result
    }

    /// The fencing token journaled for rollout `id` (`lock.acquired`) in the journal of `directory`.
    func fence(rollout id: Int, in directory: String) throws -> Int64? {
        let detail = try json(
            try runCommand(
                try BuiltProducts.executable("rollout"), ["show", String(id), "--output", "json"],
                currentDirectory: directory))
        let event = (detail["events"] as? [[String: Any]] ?? []).first { $0["kind"] as? String == "lock.acquired" }
        return ((event?["detail"] as? [String: Any])?["fence"] as? NSNumber)?.int64Value
    }

    @Test("a controller stopped past its lease while another (separate journal) deploys is refused, exits 7")
    func staleControllerIsFencedOff() throws {
        let stopped = try StoppedHolder()
        defer { stopped.cleanUp() }
        let (fixture, first, log) = (stopped.fixture, stopped.first, stopped.log)

        // A second working directory (another CI runner): the same inventory and playbook, its own empty journal.
        let other = fixture.cluster.directory + "/project-b"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        for directory in ["inventories", "playbooks", "artifact"] {
            try FileManager.default.copyItem(atPath: "\(fixture.project)/\(directory)", toPath: "\(other)/\(directory)")
        }

        // Controller B, from the other directory, deploys v3 to the whole fleet: its journal knows nothing of A.
        let second = try runCommand(
            try BuiltProducts.executable("rollout"),
            ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v3"], currentDirectory: other)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(fixture.servedVersions() == ["h1": "v3", "h2": "v3"])
        let afterSecond = try agents(fixture)
        let fenceA = try #require(try fence(rollout: 2, in: fixture.project), "A journaled its token")
        let fenceB = try #require(try fence(rollout: 1, in: other), "B journaled its token")
        #expect(fenceA < fenceB, "B acquired later: a higher token (\(fenceA) < \(fenceB))")
        #expect(afterSecond.values.allSatisfy { $0.fence == fenceB }, "\(afterSecond)")

        // A's journal shows its lock with its token (text and JSON).
        let locks = try json(try fixture.rollout(["lock", "status", "--output", "json"]))["locks"] as? [[String: Any]]
        #expect((locks?.first?["fence"] as? NSNumber)?.int64Value == fenceA, "\(locks ?? [])")
        let text = try fixture.rollout(["lock", "status"]).stdout
        #expect(text.contains("FENCE") && text.contains(String(fenceA)), "\(text)")

        // A continues: its restart of h1 carries the older token and is refused; it stops with `lock lost`.
        first.kill(SIGCONT)
        #expect(first.wait(timeout: .seconds(90)) == 7, "\(first.stderr)")
        let finished = first.allEvents.last { $0["event"] as? String == "rollout_finished" }
        #expect(
            finished?["status"] as? String == "aborted" && finished?["exit_code"] as? Int == 7, "\(finished ?? [:])")
        let error = finished?["error"] as? String ?? ""
        #expect(error.hasPrefix("lock lost") && error.contains("fencing token \(fenceA)"), "\(error)")
        #expect(error.contains("\(fenceB)"), "names the newer token: \(error)")

        // No host restarted by A: same generations and pids as B left them, still v3; A did nothing to h2.
        let afterFirst = try agents(fixture)
        for host in ["h1", "h2"] {
            #expect(afterFirst[host]?.generation == afterSecond[host]?.generation, "\(host): \(afterFirst)")
            #expect(afterFirst[host]?.pid == afterSecond[host]?.pid, "\(host): \(afterFirst)")
        }
        #expect(fixture.servedVersions() == ["h1": "v3", "h2": "v3"])
        let detail = try json(try fixture.rollout(["show", "2", "--output", "json"]))
        #expect(detail["status"] as? String == "aborted")
        let hosts = try hostsByName(detail)
        let h1 = (hosts["h1"]?["phases"] as? [[String: Any]] ?? [])
        let restart = try #require(h1.first { $0["name"] as? String == "restart" })
        #expect(restart["status"] as? String == "failed", "\(restart)")
        #expect((restart["error"] as? String ?? "").contains("refused our fencing token"), "\(restart)")
        #expect(h1.last?["name"] as? String == "undrain" && h1.last?["status"] as? String == "ok", "A put h1 back")
        #expect(!h1.contains { $0["name"] as? String == "rollback" }, "nothing reverted over the newer holder")
        #expect((hosts["h1"]?["error"] as? String ?? "").contains("NOT restarted"), "\(hosts["h1"] ?? [:])")
        #expect((hosts["h2"]?["phases"] as? [[String: Any]] ?? []).isEmpty, "A never touched h2")
        let kinds = (detail["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(kinds.contains("lock.lost"), "\(kinds)")
        // Nothing left drained: A drained h1, B drained and restored both, A restored h1 after the refusal.
        let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        #expect(
            lines == ["drain h1", "drain h1", "restore h1", "drain h2", "restore h2", "restore h1"], "\(lines)")
    }

    @Test("a resumed rollout takes the lock again: a new, higher token, which the agents then see")
    func resumeGetsANewToken() throws {
        let gates = try KillGates(directory: NSTemporaryDirectory() + "fence-gates-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: gates.directory) }
        let fixture = try DeployFixture(hosts: 2, playbookExtra: "serial: 1\n" + gates.hooksYAML(phases: ["restart"]))
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        #expect(try fixture.deploy("v1").status == 0)

        // Rollout 2 restarts h1, then is killed in h2's restart step, before its request to h2's agent.
        gates.arm("h2", "before-restart")
        let run = try DeployBackground(
            fixture, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v2"])
        defer { run.kill() }
        #expect(gates.waitReached("h2", "before-restart"), "\(run.stderr)")
        run.kill()
        _ = run.wait()
        gates.open("h2", "before-restart")
        let first = try #require(try fence(rollout: 2, in: fixture.project))
        #expect(try agents(fixture)["h1"]?.fence == first)

        let resumed = try fixture.rollout(["resume", "--output", "json"])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let detail = try json(try fixture.rollout(["show", "2", "--output", "json"]))
        let fences = (detail["events"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "lock.acquired" }
            .compactMap { (($0["detail"] as? [String: Any])?["fence"] as? NSNumber)?.int64Value }
        #expect(fences.count == 2 && fences[0] == first && fences[1] > first, "\(fences)")
        let after = try agents(fixture)
        #expect(after["h2"]?.fence == fences.last, "h2 was restarted by the resume, with its token: \(after)")
        #expect(after["h1"]?.fence == first, "h1 had finished: not restarted again")
        #expect(fixture.servedVersions() == ["h1": "v2", "h2": "v2"])
    }

    /// Puts a `rollout-agent` whose `ctl` rejects `--fence` (as one built before fencing does: ArgumentParser's usage
    /// error, exit 64) in front of the real one on `host`; the running agent is not touched.
    func emulateAgentOlderThanFencing(_ fixture: DeployFixture, _ host: String) throws {
        let root = try #require(fixture.cluster.hosts.first { $0.name == host }).rootDirectory + "/srv/bin"
        try FileManager.default.moveItem(atPath: root + "/rollout-agent", toPath: root + "/rollout-agent.real")
        try """
        #!/bin/sh
        for a in "$@"; do
            if [ "$a" = "--fence" ]; then
                echo "Error: Unknown option '--fence'" >&2; echo "Usage: rollout-agent ctl [--socket <socket>] ..." >&2
                exit 64
            fi
        done
        exec \(root)/rollout-agent.real "$@"

        """.write(toFile: root + "/rollout-agent", atomically: true, encoding: .utf8)
        chmod(root + "/rollout-agent", 0o755)
    }

    @Test("an agent whose ctl is older than fencing is restarted without the token, with a note; the others fence")
    func olderAgentIsRestartedWithoutAToken() throws {
        let fixture = try DeployFixture(hosts: 2)
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        #expect(try fixture.deploy("v1").status == 0)
        try emulateAgentOlderThanFencing(fixture, "h1")

        let v2 = try fixture.deploy("v2")
        #expect(v2.status == 0, "\(v2.stdout)\(v2.stderr)")
        #expect((v2.stdout + v2.stderr).contains("the agent on h1 is older than fencing tokens"), "\(v2.stdout)")
        #expect(fixture.servedVersions() == ["h1": "v2", "h2": "v2"])
        let token = try #require(try fence(rollout: 2, in: fixture.project))
        let agents = try agents(fixture)
        // h1's agent kept the token of v1's rollout (sent before its ctl was replaced), h2's has v2's.
        let before = try #require(try fence(rollout: 1, in: fixture.project))
        #expect(agents["h1"]?.fence == before && agents["h2"]?.fence == token && before < token, "\(agents)")
        let hosts = try hostsByName(try json(try fixture.rollout(["show", "2", "--output", "json"])))
        func restartDetail(_ host: String) -> [String: Any]? {
            (hosts[host]?["phases"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "restart" }?["detail"]
                as? [String: Any]
        }
        #expect(restartDetail("h1")?["unfenced"] as? Bool == true, "\(restartDetail("h1") ?? [:])")
        #expect(restartDetail("h2")?["unfenced"] == nil, "\(restartDetail("h2") ?? [:])")
    }

    /// The gateway log's last word on each host: `drain` or `restore`.
    func lastGatewayState(_ log: String) -> [String: String] {
        var state: [String: String] = [:]
        for line in ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n") {
            let parts = line.split(separator: " ").map(String.init)
            if parts.count == 2 { state[parts[1]] = parts[0] }
        }
        return state
    }

    @Test("one journal: a lease taken over by a controller on another host while the holder was stopped; exit 7")
    func takenOverHolderStopsWithLockLost() throws {
        let stopped = try StoppedHolder()
        defer { stopped.cleanUp() }
        let (fixture, first, log) = (stopped.fixture, stopped.first, stopped.log)

        // B runs as another machine (its own host name, in a UTS namespace) on the same journal: A is silent and its
        // lease expired, so B takes the lock over and deploys v3.
        let second = try runCommand(
            try BuiltProducts.tool("unshare"),
            [
                "--uts", "/bin/sh", "-c", "hostname ci-runner-2 && exec \"$@\"", "sh",
                try BuiltProducts.executable("rollout"), "deploy", "--inventory", "lab", "--playbook", "demo",
                "--version", "v3",
            ], currentDirectory: fixture.project)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        let takeover = try json(try fixture.rollout(["show", "3", "--output", "json"]))
        let fenceB = try #require(try fence(rollout: 3, in: fixture.project))
        let fenceA = try #require(try fence(rollout: 2, in: fixture.project))
        #expect(fenceA < fenceB)
        #expect((takeover["status"] as? String) == "succeeded")
        let afterSecond = try agents(fixture)
        #expect(afterSecond.values.allSatisfy { $0.fence == fenceB }, "\(afterSecond)")

        // A continues: whichever sees it first, its heartbeat (the lock is no longer its own: B took it, and released
        // it when done) or h1's agent (B's token is higher), it stops with `lock lost` and restarts nothing.
        first.kill(SIGCONT)
        #expect(first.wait(timeout: .seconds(90)) == 7, "\(first.stderr)")
        let finished = first.allEvents.last { $0["event"] as? String == "rollout_finished" }
        let error = finished?["error"] as? String ?? ""
        #expect(
            error.hasPrefix("lock lost")
                && (error.contains("fencing token \(fenceA)") || error.contains("no longer ours")),
            "\(error)")
        let afterFirst = try agents(fixture)
        for host in ["h1", "h2"] {
            #expect(afterFirst[host]?.generation == afterSecond[host]?.generation, "\(host): \(afterFirst)")
            #expect(afterFirst[host]?.pid == afterSecond[host]?.pid, "\(host): \(afterFirst)")
        }
        #expect(fixture.servedVersions() == ["h1": "v3", "h2": "v3"])
        #expect(lastGatewayState(log) == ["h1": "restore", "h2": "restore"], "\(lastGatewayState(log))")
    }
}

/// Two hosts rolled with `strategy: drain` through a command gateway that logs `drain h1` / `restore h1`, and a gate
/// before each restart; v1 deployed (the log then cleared). Controller A deploys v2 with a 2 s lease and is stopped
/// (SIGSTOP) in h1's restart step, before its request to the agent (h1 drained and switched); its lease has run out.
final class StoppedHolder {
    let gates: KillGates
    let log = NSTemporaryDirectory() + "fence-gateway-\(UUID().uuidString).log"
    let fixture: DeployFixture
    let first: DeployBackground

    init() throws {
        gates = try KillGates(directory: NSTemporaryDirectory() + "fence-gates-\(UUID().uuidString)")
        fixture = try DeployFixture(
            hosts: 2,
            playbookExtra: DeployGatewayTests.drainPlaybook(log: log) + "\n" + gates.hooksYAML(phases: ["restart"]))
        try fixture.stageDemoService()
        let install = try fixture.installAgents()
        let v1 = try fixture.deploy("v1")
        guard install.status == 0, v1.status == 0 else {
            fixture.stop()
            throw TestSupportError("setting up v1 failed: \(install.stderr)\(v1.stdout)\(v1.stderr)")
        }
        try? FileManager.default.removeItem(atPath: log)
        gates.arm("h1", "before-restart")
        first = try DeployBackground(
            fixture, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v2", "--lock-lease", "2s"])
        guard gates.waitReached("h1", "before-restart") else {
            first.kill()
            fixture.stop()
            throw TestSupportError("A never reached h1's restart: \(first.stderr)")
        }
        first.kill(SIGSTOP)
        gates.open("h1", "before-restart")
        Thread.sleep(forTimeInterval: 3)
    }

    func cleanUp() {
        first.kill()
        first.kill(SIGCONT)
        fixture.stop()
        try? FileManager.default.removeItem(atPath: gates.directory)
        try? FileManager.default.removeItem(atPath: log)
    }
}
