import Foundation
import RolloutTestSupport
import Testing

/// `rollout agent install`, `deploy`, `history`, `show`, `rollback` and `resume` end to end: real sshd hosts,
/// real agents, the demo service as the artifact, a real journal file.
@Suite("rollout deploy against real hosts and agents", .serialized)
struct DeployCLITests {
    @Test("agents install idempotently; v1 then v2 under load with 0 failed requests; history, show, no-op redeploy")
    func hotRolloutUnderLoad() throws {
        let fixture = try DeployFixture(hosts: 5)
        defer { fixture.stop() }
        try fixture.stageDemoService()

        let install = try fixture.installAgents()
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        #expect(install.stdout.components(separatedBy: "installed").count - 1 == 5, "\(install.stdout)")
        let again = try fixture.installAgents()
        #expect(again.status == 0)
        #expect(again.stdout.components(separatedBy: "unchanged").count - 1 == 5, "\(again.stdout)")

        let v1 = try fixture.deploy("v1")
        #expect(v1.status == 0, "\(v1.stdout)\(v1.stderr)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.servedVersions())")

        // Load on every host while v2 rolls out one host at a time.
        let loads = try fixture.ports.values.map {
            try LoadGenerator.start(.init(port: $0, concurrency: 4, duration: .seconds(300), rate: 200))
        }
        for load in loads { #expect(load.waitForSucceeded(20, timeout: .seconds(10))) }
        let v2 = try fixture.deploy("v2", ["--output", "json", "--junit", fixture.project + "/junit.xml"])
        // Keep the load on a little after the last host switched, so every host is seen serving v2 under it.
        for load in loads { #expect(load.waitForSucceeded(load.progress.succeeded + 20, timeout: .seconds(20))) }
        let reports = loads.map { $0.stop() }
        #expect(v2.status == 0, "\(v2.stdout)\(v2.stderr)")
        for report in reports {
            #expect(report.failed == 0, "\(report.summary)")
            #expect(report.succeeded > 0)
            #expect(report.versionsSeen["v2"] ?? 0 > 0, "\(report.versionsSeen)")
        }
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v2" }, "\(fixture.servedVersions())")

        // JSON lines: started, a phase per host, finished.
        let events = v2.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(events.first?["event"] as? String == "rollout_started")
        #expect(events.last?["event"] as? String == "rollout_finished")
        #expect(events.last?["status"] as? String == "succeeded")
        let restarts = events.filter {
            $0["event"] as? String == "phase_finished" && $0["phase"] as? String == "restart"
        }
        #expect(restarts.count == 5)
        let junit = try String(contentsOfFile: fixture.project + "/junit.xml", encoding: .utf8)
        #expect(junit.contains("tests=\"5\" failures=\"0\""), "\(junit)")

        let history = try fixture.rollout(["history", "--output", "json"])
        #expect(history.status == 0)
        let rows = try #require(try json(history)["rollouts"] as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(rows.first?["version"] as? String == "v2")
        #expect(rows.first?["previous_version"] as? String == "v1")
        #expect(rows.first?["status"] as? String == "succeeded")

        let id = try #require(rows.first?["id"] as? Int)
        let show = try fixture.rollout(["show", "\(id)", "--output", "json"])
        let detail = try json(show)
        let hosts = try hostsByName(detail)
        #expect(hosts.count == 5)
        for (name, host) in hosts {
            #expect(host["status"] as? String == "succeeded", "\(name)")
            #expect(host["from_version"] as? String == "v1")
            let phases = (host["phases"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(phases == ["prepare", "upload", "switch", "restart", "verify", "cleanup"], "\(phases)")
            let restart = (host["phases"] as? [[String: Any]])?.first { $0["name"] as? String == "restart" }
            let agent = (restart?["detail"] as? [String: Any])?["agent"] as? [String: Any]
            #expect(agent?["outcome"] as? String == "ok", "the agent's JSON answer is journaled: \(restart ?? [:])")
            #expect(agent?["version"] as? String == "v2")
        }

        // The same version again: nothing restarts.
        let pids = try fixture.servicePids()
        let same = try fixture.deploy("v2")
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(try fixture.servicePids() == pids, "no host was restarted")
        let last = try json(try fixture.rollout(["show", "\(id + 1)", "--output", "json"]))
        #expect(try hostsByName(last).values.allSatisfy { $0["status"] as? String == "unchanged" })
    }

    @Test("a release that fails at start: the budget stops the rollout, v1 serves everywhere, exit 1, cause in show")
    func crashingReleaseRollsBack() throws {
        let fixture = try DeployFixture(hosts: 3)
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        #expect(try fixture.deploy("v1").status == 0)

        try fixture.stageCrashingRelease()
        let bad = try fixture.deploy("v3")
        #expect(bad.status == 1, "failed and rolled back: \(bad.stdout)\(bad.stderr)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.servedVersions())")
        for host in fixture.cluster.hosts {
            let link = try FileManager.default.destinationOfSymbolicLink(atPath: host.rootDirectory + "/srv/current")
            #expect(link == "releases/v1", "\(host.name) points back at v1")
        }
        let detail = try json(try fixture.rollout(["show", "2", "--output", "json"]))
        #expect(detail["status"] as? String == "rolled_back")
        let hosts = try hostsByName(detail)
        let first = try #require(hosts[fixture.cluster.hosts[0].name])
        #expect(first["status"] as? String == "rolled_back")
        #expect((first["error"] as? String)?.contains("fails at start") == true, "\(first)")
        #expect(hosts.values.filter { $0["status"] as? String == "skipped" }.count == 2, "the budget (0) stopped it")
    }

    @Test("rollback returns to the last version that succeeded everywhere, re-using the releases on the hosts")
    func rollbackToPrevious() throws {
        let fixture = try DeployFixture(hosts: 2)
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        #expect(try fixture.deploy("v1").status == 0)
        #expect(try fixture.deploy("v2").status == 0)
        // The local artifact is now something else entirely: a rollback must not upload it.
        try fixture.stageCrashingRelease()
        let back = try fixture.rollout(["rollback", "--inventory", "lab", "--playbook", "demo"])
        #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.servedVersions())")
        let detail = try json(try fixture.rollout(["show", "3", "--output", "json"]))
        #expect(detail["version"] as? String == "v1")
        #expect(detail["previous_version"] as? String == "v2")
        for host in try hostsByName(detail).values {
            let upload = (host["phases"] as? [[String: Any]])?.first { $0["name"] as? String == "upload" }
            #expect(((upload?["detail"] as? [String: Any])?["skipped"] as? String)?.contains("rollback") == true)
        }
        // A release no host has: every host fails before switching, nothing changes.
        let missing = try fixture.rollout(["rollback", "--inventory", "lab", "--playbook", "demo", "--to", "v9"])
        #expect(missing.status == 1, "\(missing.stdout)\(missing.stderr)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" })
    }
}

extension DeployFixture {
    /// The pid serving on each host (from `/`: `version=V pid=P`).
    func servicePids() throws -> [String: String] {
        var pids: [String: String] = [:]
        for (host, port) in ports {
            let response = try HTTPTestClient.get(.loopback(host: "127.0.0.1", port: port), "/", timeout: .seconds(5))
            pids[host] = response.body.split(separator: " ").first { $0.hasPrefix("pid=") }.map(String.init)
        }
        return pids
    }
}
