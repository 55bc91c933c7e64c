import Foundation
import RolloutTestSupport
import Testing

/// `timeouts.rollout`, which the plan shows, is enforced.
@Suite("rollout deploy: timeouts.rollout", .serialized)
struct DeployTimeoutTests {
    @Test("past timeouts.rollout the rollout stops as for Ctrl-C: the host in flight finishes, the next never starts")
    func rolloutTimeoutStopsTheRollout() throws {
        let playbook = DeployFixture.playbook(
            extra: "serial: 1\nhooks:\n  before_restart: \"[ {{ host.name }} != h1 ] || sleep 12\"", successes: 1
        ).replacingOccurrences(of: "  restart: 30s\n", with: "  restart: 30s\n  rollout: 8s\n")
        let fixture = try DeployFixture(hosts: 2)
        defer { fixture.stop() }
        try playbook.write(toFile: fixture.project + "/playbooks/demo.yml", atomically: true, encoding: .utf8)
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)

        let run = try fixture.deploy("v1")
        #expect(run.status == 6, "interrupted, as README says of a stopped rollout\n\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("timeouts.rollout (8s) has passed"), "\(run.stdout)")
        let hosts = try hostsByName(try json(try fixture.rollout(["show", "1", "--output", "json"])))
        #expect(hosts["h1"]?["status"] as? String == "succeeded", "the host in flight finished: \(hosts)")
        #expect(hosts["h2"]?["status"] as? String == "skipped", "\(hosts)")
        #expect(fixture.servedVersions()["h1"] == "v1")
    }
}
