import Foundation
import Testing

@testable import RolloutTestSupport

/// The fixture itself: what it starts, and that it leaves nothing running.
@Suite(.serialized)
struct SSHClusterTests {
    @Test func stopAllKillsServersWithTheirSessionsAndRemovesTheDirectory() async throws {
        let cluster = try SSHCluster.start(hosts: 2)
        let host = try cluster.host("h1")
        #expect(LocalPorts.greets(port: host.port, prefix: "SSH-2.0-"))
        #expect(FileManager.default.fileExists(atPath: host.rootDirectory))
        // A session child (a long command) must die with its server.
        let ssh = try spawnProcess(
            try BuiltProducts.tool("ssh"),
            [
                "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=\(cluster.knownHostsPath)",
                "-i", cluster.userKeyPath, "-p", "\(host.port)", "\(cluster.user)@127.0.0.1", "sleep 60",
            ])
        defer { ProcessTree.killTree(ssh) }
        let deadline = ContinuousClock.now + .seconds(20)
        while ProcessTree.descendants(of: host.pid).count < 2 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let sessions = ProcessTree.descendants(of: host.pid)
        #expect(!sessions.isEmpty)
        cluster.stopAll()
        #expect(!ProcessTree.isAlive(host.pid))
        #expect(sessions.allSatisfy { !ProcessTree.isAlive($0) })
        #expect(!FileManager.default.fileExists(atPath: cluster.directory))
    }

    /// A cluster whose test process died (simulated by a dead owner pid) is stopped by the next `start`.
    @Test func orphansOfACrashedProcessAreReaped() async throws {
        let orphan = try SSHCluster.start(hosts: 1)
        defer { orphan.stopAll() }
        let host = try orphan.host("h1")
        let dead = try spawnProcess("/bin/true", [])
        _ = waitForExit(dead)
        try String(dead).write(toFile: orphan.directory + "/owner.pid", atomically: true, encoding: .utf8)

        SSHCluster.reapOrphans()
        #expect(!ProcessTree.isAlive(host.pid))
        #expect(!FileManager.default.fileExists(atPath: orphan.directory))
    }
}
