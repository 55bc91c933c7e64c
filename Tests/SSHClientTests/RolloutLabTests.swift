import Foundation
import RolloutTestSupport
import SSHClient
import Testing

/// `rollout-lab` starts daemons that outlive it, describes them in an inventory, and stops them.
@Suite(.serialized)
struct RolloutLabTests {
    @Test func upStatusDownLifecycle() async throws {
        let lab = try BuiltProducts.executable("rollout-lab")
        let dir = try Fixture.temporaryDirectory()
        defer {
            _ = try? runCommand(lab, ["down", "--dir", dir])
            try? FileManager.default.removeItem(atPath: dir)
        }
        let up = try runCommand(lab, ["up", "--hosts", "2", "--bastion", "--dir", dir, "--group", "web=h1,h2"])
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stdout.contains("started 2 sshd host(s)"))

        let cluster = try SSHCluster(attachingTo: dir)
        let bastion = try #require(cluster.bastion)
        #expect(cluster.hosts.map(\.name) == ["h1", "h2"])
        #expect(cluster.hosts.allSatisfy(SSHCluster.isSSHD) && SSHCluster.isSSHD(bastion))

        let inventory = try String(contentsOfFile: dir + "/inventory.yml", encoding: .utf8)
        let h1 = cluster.hosts[0]
        #expect(inventory.contains("identity_file: \(cluster.userKeyPath)"))
        #expect(inventory.contains("known_hosts: \(cluster.knownHostsPath)"))
        #expect(
            inventory.contains(
                "h1: {address: 127.0.0.1, port: \(h1.port), root: \(h1.rootDirectory), proxy_jump: bastion}"))
        #expect(inventory.contains("bastion: {address: 127.0.0.1, port: \(bastion.port)"))
        #expect(inventory.contains("web: {hosts: {h1: {}, h2: {}}}"))

        // The daemons outlived the command, and the inventory's data is enough to log in through the bastion.
        var endpoint = SSHEndpoint(
            address: h1.address, port: h1.port, user: cluster.user,
            identityFiles: [cluster.userKeyPath], knownHostsFile: cluster.knownHostsPath)
        endpoint.jump = [
            SSHEndpoint(
                address: bastion.address, port: bastion.port, user: cluster.user,
                identityFiles: [cluster.userKeyPath], knownHostsFile: cluster.knownHostsPath)
        ]
        let connection = try await SSHConnection.connect(endpoint, options: Fixture.options)
        #expect(try await connection.execute("echo up").stdoutText == "up\n")
        await connection.close()

        let status = try runCommand(lab, ["status", "--dir", dir])
        #expect(status.status == 0)
        #expect(status.stdout.split(separator: "\n").filter { $0.hasSuffix(" up") }.count == 3)

        let again = try runCommand(lab, ["up", "--hosts", "1", "--dir", dir])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already running"))

        let down = try runCommand(lab, ["down", "--dir", dir])
        #expect(down.status == 0)
        #expect(down.stdout.contains("stopped 3 sshd host(s)"))
        #expect(!cluster.hosts.contains(where: { ProcessTree.isAlive($0.pid) }))
        #expect(!ProcessTree.isAlive(bastion.pid))
        let downAgain = try runCommand(lab, ["down", "--dir", dir])
        #expect(downAgain.status == 0)
        let after = try runCommand(lab, ["status", "--dir", dir])
        #expect(after.status == 1)
        #expect(after.stdout.contains("DOWN"))
    }
}
