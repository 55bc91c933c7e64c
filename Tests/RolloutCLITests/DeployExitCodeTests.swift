import Foundation
import RolloutTestSupport
import Testing

/// The exit codes a CI pipeline reads (README "Exit codes"), from real rollouts.
@Suite("rollout deploy: exit codes", .serialized)
struct DeployExitCodeTests {
    @Test("an unreachable host under the default budget: exit 3, status failed, nothing rolled back, nothing changed")
    func unreachableHostExits3() throws {
        let fixture = try DeployFixture(hosts: 2)
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        #expect(try fixture.deploy("v1").status == 0)

        // h0 comes first and nothing listens on its SSH port.
        let path = fixture.project + "/inventories/lab.yml"
        var inventory = try String(contentsOfFile: path, encoding: .utf8)
        let dead = try LocalPorts.free()
        inventory = inventory.replacingOccurrences(
            of: "  hosts:\n",
            with: "  hosts:\n    h0: {address: 127.0.0.1, port: \(dead), root: '/nonexistent', service_port: 1}\n")
        try inventory.write(toFile: path, atomically: true, encoding: .utf8)

        let run = try fixture.deploy("v2", ["--connect-timeout", "2s"])
        #expect(run.status == 3, "\(run.stdout)\(run.stderr)")
        let detail = try json(try fixture.rollout(["show", "2", "--output", "json"]))
        #expect(detail["status"] as? String == "failed", "nothing was rolled back: \(detail["status"] ?? "")")
        #expect(detail["exit_code"] as? Int == 3)
        let hosts = try hostsByName(detail)
        #expect(hosts["h0"]?["status"] as? String == "failed")
        #expect((hosts["h0"]?["error"] as? String ?? "").hasPrefix("unreachable"), "\(hosts["h0"] ?? [:])")
        #expect(hosts["h1"]?["status"] as? String == "skipped" && hosts["h2"]?["status"] as? String == "skipped")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.servedVersions())")
    }
}
