import Foundation
import RolloutTestSupport
import Testing

/// The canary gate across interrupts and resumes: Ctrl-C during the bake, `rollout resume` of a rollout stopped
/// in its bake, the `promote: manual` wait; and the journal of the rollout's own hooks and of `current`.
@Suite("rollout deploy: canary gate, rollout hooks and current across a resume", .serialized)
struct DeployCanaryGateTests {
    @Test("Ctrl-C during a 10-minute bake stops the rollout at once: aborted (exit 6), the bake not passed")
    func interruptDuringTheBake() throws {
        let fixture = try DeployFixture(hosts: 2, playbookExtra: "serial: 1\ncanary:\n  hosts: 1\n  bake: 10m")
        defer { fixture.stop() }
        let run = try Self.interruptedInTheBake(fixture)
        defer { run.kill() }
        // Well inside the bake: a controller that ignored the interrupt would still be baking (and be SIGKILLed).
        #expect(run.wait(timeout: .seconds(60)) == 6, "\(run.stderr)")
        let detail = try json(try fixture.rollout(["show", "1", "--output", "json"]))
        #expect(detail["status"] as? String == "aborted")
        let hosts = try hostsByName(detail)
        #expect(hosts["h2"]?["status"] as? String == "skipped")
        let events = (detail["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(events.contains("canary.baking") && !events.contains("canary.baked"), "\(events)")
        #expect(fixture.servedVersions()["h2"] ?? nil == nil, "the second batch never started")
    }

    @Test("Ctrl-C during a manual canary's bake, then resume: the rest of the bake, then it waits for promote")
    func resumeKeepsTheManualGate() throws {
        let fixture = try DeployFixture(
            hosts: 2, playbookExtra: "serial: 1\ncanary:\n  hosts: 1\n  bake: 8s\n  promote: manual")
        defer { fixture.stop() }
        let run = try Self.interruptedInTheBake(fixture)
        defer { run.kill() }
        #expect(run.wait() == 6, "\(run.stderr)")

        // Resume does not skip the gate: it bakes until the journaled end, checks the canary, and waits.
        let resume = try fixture.rollout(["resume"])
        #expect(resume.status == 0, "\(resume.stdout)\(resume.stderr)")
        #expect(resume.stdout.contains("rollout promote 1"), "\(resume.stdout)")
        #expect(fixture.servedVersions()["h2"] ?? nil == nil, "h2 waits for the promotion: \(fixture.servedVersions())")
        let waiting = try json(try fixture.rollout(["show", "1", "--output", "json"]))
        #expect(waiting["status"] as? String == "running")
        let hosts = try hostsByName(waiting)
        #expect(hosts["h2"]?["status"] as? String != "succeeded", "\(hosts["h2"] ?? [:])")
        let events = waiting["events"] as? [[String: Any]] ?? []
        let baking = try #require(events.first { $0["kind"] as? String == "canary.baking" }, "\(events)")
        let until = try #require(journalDate((baking["detail"] as? [String: Any])?["until"]))
        let bake = try #require(
            (hosts["h1"]?["phases"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "bake" },
            "the canary is checked again after its bake")
        #expect(try #require(journalDate(bake["started_at"])) >= until, "checked at the end of the bake: \(bake)")
        #expect(events.contains { $0["kind"] as? String == "canary.waiting" }, "\(events)")

        // A second resume still refuses; promote finishes it.
        let again = try fixture.rollout(["resume", "1"])
        #expect(again.status == 2 && again.stderr.contains("rollout promote 1"), "\(again.stderr)")
        let promote = try fixture.rollout(["promote"])
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.servedVersions())")
        let done = try json(try fixture.rollout(["show", "1", "--output", "json"]))
        #expect(done["status"] as? String == "succeeded")
        let bakes = (try hostsByName(done)["h1"]?["phases"] as? [[String: Any]] ?? []).filter {
            $0["name"] as? String == "bake"
        }
        #expect(bakes.count == 1, "promote does not bake again: \(bakes)")
    }

    @Test("a before_rollout hook is journaled before it runs: a controller killed during it leaves it `running`")
    func rolloutHooksAreWriteAhead() throws {
        let fixture = try DeployFixture(hosts: 1)
        defer { fixture.stop() }
        let marker = fixture.project + "/hook-started"
        let playbook = fixture.project + "/playbooks/demo.yml"
        try
            (try String(contentsOfFile: playbook, encoding: .utf8)
            + "hooks:\n  before_rollout:\n    - run: \"touch \(marker); sleep 30\"\n").write(
                toFile: playbook, atomically: true, encoding: .utf8)
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)

        let run = try DeployBackground(
            fixture, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v1"])
        defer { run.kill() }
        let deadline = ContinuousClock.now + .seconds(60)
        while !FileManager.default.fileExists(atPath: marker) && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(FileManager.default.fileExists(atPath: marker), "the hook ran: \(run.stderr)")
        run.kill()
        _ = run.wait()
        let events = try json(try fixture.rollout(["show", "1", "--output", "json"]))["events"] as? [[String: Any]]
        let hook = try #require(events?.first { $0["kind"] as? String == "hook.before_rollout" }, "\(events ?? [])")
        #expect((hook["detail"] as? [String: Any])?["state"] as? String == "running", "\(hook)")
    }

    @Test("a `current` that readlink cannot read fails that host before anything is done; it is no first deployment")
    func unreadableCurrentFailsTheHost() throws {
        let fixture = try DeployFixture(hosts: 2, playbookExtra: "serial: 1\nmax_failures: 1")
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        // Something that is not a link where h2's `current` should be.
        let h2 = try #require(fixture.cluster.hosts.first { $0.name == "h2" })
        let current = h2.rootDirectory + "/srv/current"
        try FileManager.default.createDirectory(atPath: current + "/data", withIntermediateDirectories: true)

        let result = try fixture.deploy("v1")
        #expect(result.status == 4, "partial: \(result.stdout)\(result.stderr)")
        let hosts = try hostsByName(try json(try fixture.rollout(["show", "1", "--output", "json"])))
        #expect(hosts["h1"]?["status"] as? String == "succeeded")
        #expect(hosts["h2"]?["status"] as? String == "failed")
        let error: String = hosts["h2"]?["error"] as? String ?? ""
        #expect(error.contains("cannot read"), "\(hosts["h2"] ?? [:])")
        let phases = (hosts["h2"]?["phases"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(phases == ["prepare"], "nothing was done to h2: \(phases)")
        #expect(!FileManager.default.fileExists(atPath: h2.rootDirectory + "/srv/releases/v1"))
        #expect(FileManager.default.fileExists(atPath: current + "/data"), "h2's `current` is untouched")
    }

    /// Installs the agents, starts `deploy --version v1` in the background and sends it SIGINT (Ctrl-C) once the
    /// canary's bake has begun.
    private static func interruptedInTheBake(_ fixture: DeployFixture) throws -> DeployBackground {
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        let run = try DeployBackground(
            fixture, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v1"])
        #expect(run.waitFor { $0["event"] as? String == "note" && ($0["message"] as? String ?? "").contains("baking") })
        run.kill(SIGINT)
        return run
    }
}
