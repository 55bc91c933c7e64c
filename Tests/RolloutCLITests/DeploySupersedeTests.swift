import Foundation
import RolloutTestSupport
import Testing

/// What a killed controller leaves for the next command: an unfinished rollout a newer deploy supersedes, a host
/// failure it was handling, a host left drained while already on the version deployed again.
@Suite("rollout deploy and resume: superseded rollouts, failures in flight, drained hosts", .serialized)
struct DeploySupersedeTests {
    @Test("deploy over a killed rollout supersedes it and restores what it left drained; resume/promote refuse it")
    func deploySupersedesAnUnfinishedRollout() throws {
        let fixture = try HAProxyDeployFixture(hosts: 2)
        defer { fixture.stop() }
        // When h1 restarts on v2 the hook holds it there (drained): the controller is killed there.
        try fixture.writePlaybook(extra: fixture.holdingHook(version: "v2"))
        try fixture.deploy.stageDemoService()
        #expect(try fixture.deploy.installAgents().status == 0)
        #expect(try fixture.deploy.deploy("v1").status == 0)
        try fixture.killWhileHeld(version: "v2")
        #expect(try fixture.serverStates()["h1"]?.admin == 8, "the killed controller left h1 drained")

        // A new deploy (another version) over it: it names rollout 2, puts h1 back first, and supersedes it.
        let v3 = try fixture.deploy.rollout([
            "deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v3", "--output", "json",
        ])
        #expect(v3.status == 0, "\(v3.stdout)\(v3.stderr)")
        #expect(v3.stdout.contains("supersedes unfinished rollout 2"), "\(v3.stdout)")
        #expect(try fixture.allReady(), "\(fixture.statesText)")
        let old = try json(try fixture.deploy.rollout(["show", "2", "--output", "json"]))
        #expect(old["status"] as? String == "superseded", "\(old["status"] ?? "")")
        let restore = try #require(try fixture.phases(rollout: 2, host: "h1").last, "h1 restored under rollout 2")
        #expect(restore["name"] as? String == "undrain" && restore["status"] as? String == "ok", "\(restore)")
        #expect((restore["detail"] as? [String: Any])?["superseded_by"] as? Int == 3, "\(restore)")
        let kinds = (old["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(kinds.contains("rollout.superseded"), "\(kinds)")

        // Resuming or promoting the superseded rollout would put the fleet back on v2: refused, nothing changed.
        for arguments in [["resume", "2"], ["promote", "2"]] {
            let refused = try fixture.deploy.rollout(arguments)
            #expect(refused.status == 2, "\(arguments): \(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains("superseded by rollout 3"), "\(refused.stderr)")
        }
        let none = try fixture.deploy.rollout(["resume"])
        #expect(none.status == 2 && none.stderr.contains("no unfinished rollout"), "\(none.stderr)")
        #expect(fixture.deploy.servedVersions().values.allSatisfy { $0 == "v3" }, "\(fixture.deploy.servedVersions())")
        #expect(try fixture.allReady(), "\(fixture.statesText)")
    }

    @Test("killed during a failed host's rollback: resume finishes the rollback, counts the failure, deploys no more")
    func resumeFinishesAFailureInFlight() throws {
        // h1's first verify of v2 fails (its hook exits 7 once); five health successes keep its rollback under way.
        let marker = "FAILED_ONCE"
        let fixture = try DeployFixture(
            hosts: 2, playbookExtra: "serial: 1\nmax_failures: 0\nrollback: host", successes: 5)
        defer { fixture.stop() }
        let flag = fixture.project + "/" + marker
        let playbook = fixture.project + "/playbooks/demo.yml"
        try
            (try String(contentsOfFile: playbook, encoding: .utf8)
                + """
                hooks:
                  before_verify:
                    - run: "if [ {{ host.name }}-{{ version }} = h1-v2 ] && [ ! -f \(flag) ]; then touch \(flag); exit 7; fi"
                      on: controller

                """
        ).write(toFile: playbook, atomically: true, encoding: .utf8)
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        #expect(try fixture.deploy("v1").status == 0)

        let run = try DeployBackground(
            fixture, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v2"])
        defer { run.kill() }
        #expect(run.waitForPhase("rollback", host: "h1"), "\(run.allEvents) \(run.stderr)")
        run.kill()
        _ = run.wait()
        let killed = try hostsByName(try json(try fixture.rollout(["show", "2", "--output", "json"])))
        #expect(
            killed["h1"]?["status"] as? String == "running", "died while handling h1's failure: \(killed["h1"] ?? [:])")

        // The dead controller had a failure over the budget: resume rolls h1 back, does not deploy it again (the
        // hook would now pass), and starts no other host.
        let resume = try fixture.rollout(["resume", "2"])
        #expect(resume.status == 1, "failed and rolled back: \(resume.stdout)\(resume.stderr)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.servedVersions())")
        let detail = try json(try fixture.rollout(["show", "2", "--output", "json"]))
        #expect(detail["status"] as? String == "rolled_back", "\(detail["status"] ?? "")")
        let hosts = try hostsByName(detail)
        #expect(hosts["h1"]?["status"] as? String == "rolled_back")
        #expect(hosts["h2"]?["status"] as? String == "skipped")
        let phases = (hosts["h1"]?["phases"] as? [[String: Any]] ?? []).map {
            "\($0["name"] as? String ?? "") \($0["status"] as? String ?? "")"
        }
        #expect(phases.filter { $0.hasPrefix("switch") }.count == 1, "h1 was not deployed again: \(phases)")
        #expect(phases.last == "rollback ok", "\(phases)")
        for host in fixture.cluster.hosts {
            let link = try FileManager.default.destinationOfSymbolicLink(atPath: host.rootDirectory + "/srv/current")
            #expect(link == "releases/v1", "\(host.name)")
        }
    }

    @Test("killed while restoring a drained host after its failure: resume restores it, rolled back, not redeployed")
    func resumeFinishesTheUndrainOfAFailure() throws {
        let fixture = try HAProxyDeployFixture(hosts: 2)
        defer { fixture.stop() }
        let dir = fixture.scratch
        // h1's first verify of v2 fails; its undrain after that failure holds until the controller is killed.
        let fail =
            "if [ {{ host.name }}-{{ version }} = h1-v2 ] && [ ! -f \(dir)/failed ]; then touch \(dir)/failed; exit 7; fi"
        let hold =
            "if [ {{ host.name }} = h1 ] && [ -f \(dir)/failed ] && [ ! -f \(dir)/killed ]; then "
            + "echo $$ > \(dir)/hook.pid; exec sleep 60; fi"
        try fixture.writePlaybook(
            extra: """
                hooks:
                  before_verify: [{run: "\(fail)", on: controller}]
                  before_undrain: [{run: "\(hold)", on: controller}]
                """)
        try fixture.deploy.stageDemoService()
        #expect(try fixture.deploy.installAgents().status == 0)
        #expect(try fixture.deploy.deploy("v1").status == 0)
        try fixture.killWhileHeld(version: "v2")
        #expect(try fixture.serverStates()["h1"]?.admin == 8, "the killed controller left h1 drained")
        let killed = try fixture.phases(rollout: 2, host: "h1").map {
            "\($0["name"] as? String ?? "") \($0["status"] as? String ?? "")"
        }
        #expect(killed.suffix(3) == ["verify failed", "rollback ok", "undrain running"], "\(killed)")

        let resume = try fixture.deploy.rollout(["resume", "2"])
        #expect(resume.status == 1, "failed and rolled back: \(resume.stdout)\(resume.stderr)")
        #expect(try fixture.allReady(), "\(fixture.statesText)")
        #expect(fixture.deploy.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.deploy.servedVersions())")
        let hosts = try hostsByName(try json(try fixture.deploy.rollout(["show", "2", "--output", "json"])))
        #expect(hosts["h1"]?["status"] as? String == "rolled_back", "\(hosts["h1"] ?? [:])")
        #expect(hosts["h2"]?["status"] as? String == "skipped")
        let phases = try fixture.phases(rollout: 2, host: "h1").map {
            "\($0["name"] as? String ?? "") \($0["status"] as? String ?? "")"
        }
        #expect(
            phases.suffix(3) == ["rollback ok", "undrain interrupted", "undrain ok"],
            "only the undrain is finished, no second rollback or deploy: \(phases)")
        #expect(phases.filter { $0.hasPrefix("switch") }.count == 1, "\(phases)")
    }

    @Test("a drained host already on the version deployed again is read from the gateway and put back")
    func unchangedDrainedHostIsRestored() throws {
        let fixture = try HAProxyDeployFixture(hosts: 2)
        defer { fixture.stop() }
        try fixture.writePlaybook()
        try fixture.deploy.stageDemoService()
        #expect(try fixture.deploy.installAgents().status == 0)
        #expect(try fixture.deploy.deploy("v1").status == 0)
        // h1 serves v1 but is out of rotation (what a controller killed between its verify and its undrain leaves).
        _ = try fixture.haproxy.adminCommand("set server web/h1 state drain")
        #expect(try fixture.serverStates()["h1"]?.admin == 8)

        let again = try fixture.deploy.deploy("v1")
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(try fixture.allReady(), "h1 is back in rotation: \(fixture.statesText)")
        let detail = try json(try fixture.deploy.rollout(["show", "2", "--output", "json"]))
        let hosts = try hostsByName(detail)
        #expect(hosts.values.allSatisfy { $0["status"] as? String == "unchanged" }, "\(hosts)")
        let phases = try fixture.phases(rollout: 2, host: "h1")
        #expect(phases.compactMap { $0["name"] as? String } == ["check", "undrain"], "\(phases)")
        let check = try #require(phases.detail(of: "check")?["gateway"] as? [String: Any])
        #expect(check["state"] as? String == "draining", "\(check)")
        #expect((phases.detail(of: "undrain")?["gateway"] as? [String: Any])?["state"] as? String == "in_rotation")
        #expect(try fixture.phases(rollout: 2, host: "h2").compactMap { $0["name"] as? String } == ["check"])
    }
}
