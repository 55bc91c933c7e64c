import Foundation
import RolloutTestSupport
import Testing

/// CI conveniences: the SSH key from `ROLLOUT_SSH_KEY` when the inventory names none.
@Suite("rollout in CI: key from the environment")
struct DeployCITests {
    @Test("ROLLOUT_SSH_KEY authenticates hosts whose inventory names no identity_file")
    func keyFromEnvironment() throws {
        let fixture = try ClusterFixture(hosts: 1)
        defer { fixture.stop() }
        let host = fixture.cluster.hosts[0]
        let inventory = fixture.cluster.directory + "/nokey.yml"
        try """
        all:
          vars: {user: \(fixture.cluster.user), known_hosts: '\(fixture.cluster.knownHostsPath)'}
          hosts:
            h1: {address: \(host.address), port: \(host.port)}
        """.write(toFile: inventory, atomically: true, encoding: .utf8)
        // An empty HOME and no ssh-agent: the only key is the one the variable names.
        let home = fixture.cluster.directory + "/empty-home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let base = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home]
        let without = try rollout("ping", "--inventory", inventory, environment: base)
        #expect(without.status == 3, "\(without.stdout)\(without.stderr)")
        var with = base
        with["ROLLOUT_SSH_KEY"] = fixture.cluster.userKeyPath
        let result = try rollout("ping", "--inventory", inventory, environment: with)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }
}
