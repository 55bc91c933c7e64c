import Foundation
import RolloutTestSupport
import Testing

/// `rollout gateway status` against a real HAProxy, read over SSH on a gateway host of a real sshd cluster
/// and on the controller.
@Suite(.serialized) struct GatewayStatusCLITests {
    @Test func statusReadsEveryDrainHostFromHAProxyOverSSHAndOnTheController() throws {
        let fixture = try ClusterFixture(hosts: 3)
        defer { fixture.stop() }
        let services = try (0..<2).map { _ in try DemoServiceProcess.start() }
        defer { for service in services { service.stop(timeout: .seconds(3)) } }
        let haproxy = try HAProxyFixture(
            servers: [
                HAProxyFixture.Server(name: "h1", port: services[0].port!),
                HAProxyFixture.Server(name: "h2", port: services[1].port!),
            ])
        defer { haproxy.stop() }
        let dir = fixture.cluster.directory
        try fixture.cluster.writeInventory(
            to: dir + "/gw-inventory.yml", groups: [("web", ["h1", "h2"]), ("lb", ["h3"])])
        _ = try haproxy.adminCommand("set server web/h1 state drain")

        func playbook(on: String, hosts: String) -> String {
            """
            service: {name: web, root: /srv/web}
            artifact: {path: build/web}
            hosts: \(hosts)
            strategy: drain
            gateway:
              type: haproxy
              on: \(on)
              socket: \(haproxy.socketPath)
              backend: web
              server: "{{ host.name }}"
            """
        }
        try playbook(on: "h3", hosts: "web").write(toFile: dir + "/gw-ssh.yml", atomically: true, encoding: .utf8)
        let viaSSH = try rollout(
            "gateway", "status", "-i", dir + "/gw-inventory.yml", "-p", dir + "/gw-ssh.yml", "--output", "json")
        #expect(viaSSH.status == 0, "\(viaSSH.stderr)")
        let report = try json(viaSSH)
        let hosts = try #require(report["hosts"] as? [[String: Any]])
        #expect(hosts.map { $0["host"] as? String } == ["h1", "h2"])
        #expect(hosts.map { $0["state"] as? String } == ["draining", "in_rotation"])
        #expect(hosts.map { $0["connections"] as? Int } == [0, 0])
        #expect((report["gateway"] as? [String: Any])?["on"] as? String == "h3")

        // On the controller, and h3 (not in HAProxy) listed too: its line is an error and the exit status 1.
        try playbook(on: "controller", hosts: "all").write(
            toFile: dir + "/gw-local.yml", atomically: true, encoding: .utf8)
        let local = try rollout("gateway", "status", "-i", dir + "/gw-inventory.yml", "-p", dir + "/gw-local.yml")
        #expect(local.status == 1, "\(local.stderr)")
        let lines = local.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(lines.first?.prefix(4).map(String.init) == ["HOST", "SERVER", "STATE", "CONNECTIONS"])
        #expect(lines.contains { $0.prefix(4) == ["h1", "h1", "draining", "0"] })
        #expect(lines.contains { $0.prefix(4) == ["h2", "h2", "in_rotation", "0"] })
        #expect(lines.contains { $0.prefix(3) == ["h3", "h3", "error"] })
        #expect(local.stdout.contains("does not know server web/h3"))
        #expect(local.stdout.contains("haproxy gateway on controller: 2/3 hosts read"))
    }

    @Test func aPlaybookWithoutAGatewayIsInvalidInput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "all:\n  hosts:\n    h1: {address: 127.0.0.1}\n".write(
            toFile: dir + "/inv.yml", atomically: true, encoding: .utf8)
        try "service: {name: web, root: /srv/web}\nartifact: {path: build/web}\nhosts: all\n".write(
            toFile: dir + "/pb.yml", atomically: true, encoding: .utf8)
        let result = try rollout("gateway", "status", "-i", dir + "/inv.yml", "-p", dir + "/pb.yml")
        #expect(result.status == 2)
        #expect(result.stderr.contains("no `gateway:` section"))
    }

    @Test func theExamplePlaybookOfEachDriverPassesCheck() throws {
        let fm = FileManager.default
        let root = PlanCommandTests.packageRoot
        let dir = fm.temporaryDirectory.appendingPathComponent("gw-examples-\(UUID().uuidString)").path
        defer { try? fm.removeItem(atPath: dir) }
        for sub in ["inventories", "playbooks", "build"] {
            try fm.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true)
        }
        try fm.copyItem(atPath: "\(root)/inventories/example.yml", toPath: "\(dir)/inventories/example.yml")
        try "web release\n".write(toFile: "\(dir)/build/web", atomically: true, encoding: .utf8)
        for name in ["web-drain", "web-lvs", "web-nginx", "web-command"] {
            try fm.copyItem(atPath: "\(root)/playbooks/\(name).yml", toPath: "\(dir)/playbooks/\(name).yml")
            let result = try rollout("check", "--inventory", "example", "--playbook", name, currentDirectory: dir)
            #expect(result.status == 0, "\(name): \(result.stderr)")
        }
    }
}
