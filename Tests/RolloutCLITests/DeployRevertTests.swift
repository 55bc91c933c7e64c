import Foundation
import RolloutTestSupport
import Testing

/// Reverts outside a host's pipeline (`rollback: all`) of `drain` hosts through a real HAProxy, and a cleanup
/// whose release pruning fails.
@Suite("rollout deploy: reverts in rotation and cleanup failures", .serialized)
struct DeployRevertTests {
    @Test("rollback: all reverts an undrained drain host only after draining it in HAProxy; 0 failed requests")
    func rollbackAllDrainsFirst() throws {
        let fixture = try HAProxyDeployFixture(hosts: 2)
        defer { fixture.stop() }
        // h2 fails before its switch: the budget (0) is exceeded and h1, already on v2 and back in rotation, is
        // reverted by `rollback: all`.
        try fixture.writePlaybook(
            extra: """
                max_failures: 0
                rollback: all
                hooks:
                  before_switch: "[ {{ host.name }} != h2 ] || [ {{ version }} = v1 ]"
                """)
        try fixture.deploy.stageDemoService()
        #expect(try fixture.deploy.installAgents().status == 0)
        let v1 = try fixture.deploy.deploy("v1")
        #expect(v1.status == 0, "\(v1.stdout)\(v1.stderr)")

        guard case .loopback(_, let port) = fixture.haproxy.frontend else { throw TestSupportError("no port") }
        let load = try LoadGenerator.start(
            .init(
                port: port, concurrency: 4, duration: .seconds(300), requestTimeout: .seconds(20), slowShare: 0.1,
                slowMilliseconds: 1000, rate: 200))
        var loadStopped = false
        defer { if !loadStopped { _ = load.stop() } }
        Thread.sleep(forTimeInterval: 0.5)
        let v2 = try fixture.deploy.deploy("v2")
        let report = load.stop()
        loadStopped = true

        #expect(v2.status != 0, "h2 failed: \(v2.stdout)\(v2.stderr)")
        #expect(report.failed == 0, "\(report.summary)")
        #expect(fixture.deploy.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.deploy.servedVersions())")
        #expect(try fixture.allReady(), "\(fixture.statesText)")
        let hosts = try hostsByName(try json(try fixture.deploy.rollout(["show", "2", "--output", "json"])))
        #expect(hosts["h1"]?["status"] as? String == "rolled_back", "\(hosts["h1"] ?? [:])")

        // h1's journal: its pipeline, then the revert drained it, reverted it and put it back.
        let phases = try fixture.phases(rollout: 2, host: "h1")
        let names = phases.compactMap { $0["name"] as? String }
        #expect(
            names == [
                "prepare", "upload", "drain", "switch", "restart", "verify", "undrain", "cleanup", "drain", "rollback",
                "undrain",
            ], "\(names)")
        #expect(phases.allSatisfy { $0["status"] as? String == "ok" }, "\(phases)")
        let revertDrain = try #require(phases.dropLast(2).last?["detail"] as? [String: Any], "\(phases)")
        #expect((revertDrain["gateway"] as? [String: Any])?["state"] as? String == "draining", "\(revertDrain)")
        #expect((revertDrain["wait"] as? [String: Any])?["connections"] as? Int == 0, "\(revertDrain)")
        // Read back from HAProxy right before the revert's cold restart: still draining.
        let rollback = try #require(phases.detail(of: "rollback"), "\(phases)")
        let recheck = try #require(rollback["gateway_recheck"] as? [String: Any], "\(rollback)")
        #expect((recheck["found"] as? [String: Any])?["state"] as? String == "draining", "\(recheck)")
        let restart = try #require(rollback["restart"] as? [String: Any], "\(rollback)")
        #expect(restart["mode"] as? String == "cold" && restart["version"] as? String == "v1", "\(restart)")
        let undrain = try #require(phases.last?["detail"] as? [String: Any])
        #expect((undrain["gateway"] as? [String: Any])?["state"] as? String == "in_rotation", "\(undrain)")
    }

    @Test("a release prune that fails (an immutable file in an old release) is a warning; the host stays succeeded")
    func pruneFailureIsAWarning() throws {
        let playbook = DeployFixture.playbook(extra: "serial: 1", successes: 1).replacingOccurrences(
            of: "  agent: \"{{ service.root }}/bin/rollout-agent\"\n",
            with: "  agent: \"{{ service.root }}/bin/rollout-agent\"\n  keep_releases: 2\n")
        let fixture = try DeployFixture(hosts: 1)
        defer { fixture.stop() }
        try playbook.write(toFile: fixture.project + "/playbooks/demo.yml", atomically: true, encoding: .utf8)
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        for version in ["v1", "v2"] {
            let run = try fixture.deploy(version)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        }
        // Not even root may delete an immutable file: v1, due for pruning at v3, cannot be removed.
        let pinned = fixture.cluster.hosts[0].rootDirectory + "/srv/releases/v1/rollout-demo-service"
        let pin = try runCommand("/usr/bin/chattr", ["+i", pinned], timeout: .seconds(10))
        try #require(pin.status == 0, "chattr +i: \(pin.stderr)")
        defer { _ = try? runCommand("/usr/bin/chattr", ["-i", pinned], timeout: .seconds(10)) }

        let v3 = try fixture.deploy("v3")
        #expect(v3.status == 0, "\(v3.stdout)\(v3.stderr)")
        #expect(v3.stdout.contains("warning: pruning old releases on h1 failed"), "\(v3.stdout)")
        #expect(fixture.servedVersions()["h1"] == "v3")
        let detail = try json(try fixture.rollout(["show", "3", "--output", "json"]))
        let host = try #require(try hostsByName(detail)["h1"])
        #expect(host["status"] as? String == "succeeded", "\(host)")
        let phases = try #require(host["phases"] as? [[String: Any]])
        #expect(phases.last?["name"] as? String == "cleanup" && phases.last?["status"] as? String == "ok")
        let cleanup = try #require(phases.detail(of: "cleanup"), "\(phases)")
        #expect((cleanup["warning"] as? String ?? "").contains("Operation not permitted"), "\(cleanup)")
        #expect(cleanup["not_deleted"] as? [String] == ["v1"], "\(cleanup)")
    }
}
