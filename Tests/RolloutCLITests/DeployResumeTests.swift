import Foundation
import RolloutTestSupport
import Testing

/// The lock between concurrent deploys, and `rollout resume` after the controller was SIGKILLed mid-batch.
@Suite("rollout deploy: lock and resume", .serialized)
struct DeployResumeTests {
    @Test("a concurrent deploy exits 5; a killed holder's lock is taken over by resume, which bakes the rest first")
    func lockAndTakeover() throws {
        // A canary with a bake keeps the first deploy inside the lock long enough to race it.
        let fixture = try DeployFixture(hosts: 2, playbookExtra: "serial: 1\ncanary:\n  hosts: 1\n  bake: 20s")
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

        // The holder dies during the bake without releasing the lock; resume takes the lock over, bakes what is left
        // of the bake (its end is journaled), checks the canary again and only then starts the second batch.
        first.kill()
        _ = first.wait()
        let resume = try fixture.rollout(["resume", "--output", "json"])
        #expect(resume.status == 0, "\(resume.stdout)\(resume.stderr)")
        #expect(resume.stdout.contains("took over the lock"), "\(resume.stdout)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.servedVersions())")
        let detail = try json(try fixture.rollout(["show", "1", "--output", "json"]))
        #expect(detail["status"] as? String == "succeeded")
        let hosts = try hostsByName(detail)
        #expect(hosts.values.allSatisfy { $0["status"] as? String == "succeeded" })
        let events = detail["events"] as? [[String: Any]] ?? []
        let baking = try #require(events.first { $0["kind"] as? String == "canary.baking" }, "\(events)")
        let until = try #require(journalDate((baking["detail"] as? [String: Any])?["until"]), "\(baking)")
        #expect(events.contains { $0["kind"] as? String == "canary.baked" }, "\(events)")
        let canary = try #require(hosts.values.first { $0["batch"] as? Int == 0 })
        let other = try #require(hosts.values.first { $0["batch"] as? Int == 1 })
        let canaryBake = (canary["phases"] as? [[String: Any]] ?? []).filter { $0["name"] as? String == "bake" }
        #expect(canaryBake.count == 1 && canaryBake.first?["status"] as? String == "ok", "\(canaryBake)")
        // Resume's `inspect` reads the hosts it had started on first; the host's own steps begin after the bake.
        let steps = (other["phases"] as? [[String: Any]] ?? []).filter { $0["name"] as? String != "inspect" }
        let otherStart = try #require(journalDate(steps.first?["started_at"]), "\(other)")
        #expect(otherStart >= until, "the second batch starts after the bake's end \(until), not at \(otherStart)")
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

    @Test("killed after the failure budget was exceeded: resume finishes the host in flight and rolls everything back")
    func resumeOfAFailingRolloutRollsBack() throws {
        // v2 only: h1 fails its verify step at once; h2 is then still in its verify step (the hook sleeps).
        let fixture = try DeployFixture(
            hosts: 2,
            playbookExtra: """
                window: 2
                max_failures: 0
                rollback: all
                hooks:
                  before_verify:
                    - run: "case {{ inventory_hostname }}-{{ version }} in h1-v2) exit 7;; h2-v2) sleep 12;; esac"
                      timeout: 60s
                """)
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        #expect(try fixture.deploy("v1").status == 0)

        let run = try DeployBackground(
            fixture, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v2"])
        #expect(run.waitFor { $0["event"] as? String == "host_finished" && $0["host"] as? String == "h1" })
        run.kill()
        _ = run.wait()
        let killed = try hostsByName(try json(try fixture.rollout(["show", "2", "--output", "json"])))
        #expect(killed["h1"]?["status"] as? String == "rolled_back")
        #expect(killed["h2"]?["status"] as? String == "running", "h2 was in flight: \(killed["h2"] ?? [:])")

        // The dead controller would have finished h2 and then reverted it (`rollback: all`); so does resume.
        let resume = try fixture.rollout(["resume", "2"])
        #expect(resume.status == 1, "failed and rolled back: \(resume.stdout)\(resume.stderr)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.servedVersions())")
        for host in fixture.cluster.hosts {
            let link = try FileManager.default.destinationOfSymbolicLink(atPath: host.rootDirectory + "/srv/current")
            #expect(link == "releases/v1", "\(host.name) is not left half-switched")
        }
        let detail = try json(try fixture.rollout(["show", "2", "--output", "json"]))
        #expect(detail["status"] as? String == "rolled_back")
        let hosts = try hostsByName(detail)
        #expect(hosts["h2"]?["status"] as? String == "rolled_back")
        let events = (detail["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(events.contains("resume.rolling_back"), "\(events)")
    }

    @Test("resume plans with the rollout's own --var values and refuses an artifact changed since")
    func resumeKeepsTheVariables() throws {
        // The health check's path comes from a variable that only the command line sets: without it the plan
        // does not even validate, and with a wrong value verify would fail.
        let fixture = try DeployFixture(hosts: 2, successes: 5)
        defer { fixture.stop() }
        let playbook = fixture.project + "/playbooks/demo.yml"
        let text = try String(contentsOfFile: playbook, encoding: .utf8)
        try text.replacingOccurrences(of: "{{ service_port }}/\"", with: "{{ service_port }}{{ probe_path }}\"")
            .write(toFile: playbook, atomically: true, encoding: .utf8)
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)

        let run = try DeployBackground(
            fixture,
            ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v1", "--var", "probe_path=/health"])
        #expect(run.waitForPhase("verify", host: "h2"), "\(run.allEvents) \(run.stderr)")
        run.kill()
        _ = run.wait()

        // A rebuilt artifact would land other bytes under the same version name: refused, nothing touched.
        try fixture.stageCrashingRelease()
        let refused = try fixture.rollout(["resume", "1"])
        #expect(refused.status == 2 && refused.stderr.contains("artifact changed"), "\(refused.stderr)")
        try fixture.stageDemoService()

        let resume = try fixture.rollout(["resume", "1"])
        #expect(resume.status == 0, "\(resume.stdout)\(resume.stderr)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" })
        let detail = try json(try fixture.rollout(["show", "1", "--output", "json"]))
        let request = (detail["plan"] as? [String: Any])?["request"] as? [String: Any]
        #expect(request?["vars"] as? [String] == ["probe_path=/health"], "\(request ?? [:])")
    }
}

/// A journal timestamp (`2026-11-22T02:07:28.123Z`) of a JSON report.
func journalDate(_ value: Any?) -> Date? {
    guard let text = value as? String else { return nil }
    let format = ISO8601DateFormatter()
    format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return format.date(from: text)
}
