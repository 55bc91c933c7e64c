import Foundation
import RolloutTestSupport
import Testing

/// The lock between concurrent deploys, and `rollout resume` after the controller was SIGKILLed mid-batch.
@Suite("rollout deploy: lock and resume", .serialized)
struct DeployResumeTests {
    @Test("a concurrent deploy exits 5 naming the holder; a killed holder's lock is taken over by resume")
    func lockAndTakeover() throws {
        // A canary with a bake keeps the first deploy inside the lock long enough to race it.
        let fixture = try DeployFixture(hosts: 2, playbookExtra: "serial: 1\ncanary:\n  hosts: 1\n  bake: 30s")
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)

        let first = try DeployBackground(
            fixture, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v1"])
        defer { first.kill() }
        #expect(
            first.waitFor { $0["event"] as? String == "note" && ($0["message"] as? String ?? "").contains("baking") })
        let second = try fixture.deploy("v1")
        #expect(second.status == 5, "\(second.stdout)\(second.stderr)")
        #expect(second.stderr.contains("pid \(first.process.processIdentifier)"), "names the holder: \(second.stderr)")

        // The holder dies without releasing the lock; resume takes the lock over and finishes the rollout.
        first.kill()
        _ = first.wait()
        let resume = try fixture.rollout(["resume", "--output", "json"])
        #expect(resume.status == 0, "\(resume.stdout)\(resume.stderr)")
        #expect(resume.stdout.contains("took over the lock"), "\(resume.stdout)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.servedVersions())")
        let detail = try json(try fixture.rollout(["show", "1", "--output", "json"]))
        #expect(detail["status"] as? String == "succeeded")
        #expect(try hostsByName(detail).values.allSatisfy { $0["status"] as? String == "succeeded" })
    }

    @Test(
        "SIGKILL at upload, restart and verify: resume completes and journal and hosts agree",
        arguments: ["upload", "restart", "verify"])
    func killedControllerResumes(phase: String) throws {
        // Five consecutive health successes keep `verify` under way long enough to be killed in it.
        let fixture = try DeployFixture(hosts: 2, successes: 5)
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        #expect(try fixture.deploy("v1").status == 0)

        let load = try fixture.ports.values.map {
            try LoadGenerator.start(.init(port: $0, concurrency: 2, duration: .seconds(300), rate: 200))
        }
        let second = fixture.cluster.hosts[1].name
        let run = try DeployBackground(
            fixture, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v2"])
        #expect(run.waitForPhase(phase, host: second), "\(run.allEvents) \(run.stderr)")
        run.kill()
        _ = run.wait()

        let status = try json(try fixture.rollout(["show", "2", "--output", "json"]))
        #expect(status["status"] as? String == "running", "the journal shows the rollout unfinished")

        let resume = try fixture.rollout(["resume", "2"])
        let reports = load.map { $0.stop() }
        #expect(resume.status == 0, "\(resume.stdout)\(resume.stderr)")
        for report in reports { #expect(report.failed == 0, "\(report.summary)") }
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v2" }, "\(fixture.servedVersions())")
        let detail = try json(try fixture.rollout(["show", "2", "--output", "json"]))
        #expect(detail["status"] as? String == "succeeded")
        let hosts = try hostsByName(detail)
        for host in fixture.cluster.hosts {
            #expect(hosts[host.name]?["status"] as? String == "succeeded")
            let link = try FileManager.default.destinationOfSymbolicLink(atPath: host.rootDirectory + "/srv/current")
            #expect(link == "releases/v2")
        }
        let phases = hosts[second]?["phases"] as? [[String: Any]] ?? []
        #expect(
            phases.contains { $0["name"] as? String == phase && $0["status"] as? String == "interrupted" },
            "the step in flight is closed as interrupted: \(phases)")
    }

    @Test("promote: manual stops after the canary until `rollout promote`; resume refuses to skip the promotion")
    func manualPromotion() throws {
        let fixture = try DeployFixture(hosts: 2, playbookExtra: "serial: 1\ncanary:\n  hosts: 1\n  promote: manual")
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        let canary = try fixture.deploy("v1")
        #expect(canary.status == 0, "\(canary.stdout)\(canary.stderr)")
        #expect(canary.stdout.contains("rollout promote 1"), "\(canary.stdout)")
        let served = fixture.servedVersions()
        #expect(served["h1"] == "v1" && (served["h2"] ?? nil) == nil, "only the canary runs: \(served)")
        let waiting = try json(try fixture.rollout(["show", "1", "--output", "json"]))
        #expect(waiting["status"] as? String == "running")
        #expect(try hostsByName(waiting)["h2"]?["status"] as? String == "pending")

        let resume = try fixture.rollout(["resume", "1"])
        #expect(resume.status == 2 && resume.stderr.contains("rollout promote 1"), "\(resume.stderr)")
        let promote = try fixture.rollout(["promote", "1"])
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" })
        let done = try json(try fixture.rollout(["show", "1", "--output", "json"]))
        #expect(done["status"] as? String == "succeeded")
        let events = (done["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(events.contains("canary.waiting") && events.contains("canary.promoted"), "\(events)")
    }
}
