import Foundation
import RolloutTestSupport
import Testing

@Suite("host keys and invalid input through the CLI")
struct HostKeyAndConfigTests {
    @Test("an unknown host key is refused in strict mode with its fingerprint, and recorded with accept-new")
    func unknownHostKey() throws {
        let fixture = try ClusterFixture(hosts: 2)
        defer { fixture.stop() }
        let emptyKnownHosts = fixture.cluster.directory + "/empty_known_hosts"
        #expect(FileManager.default.createFile(atPath: emptyKnownHosts, contents: nil))
        let inventoryText = try String(contentsOfFile: fixture.inventory, encoding: .utf8)
            .replacingOccurrences(of: fixture.cluster.knownHostsPath, with: emptyKnownHosts)
        let inventory = fixture.cluster.directory + "/fresh.yml"
        try inventoryText.write(toFile: inventory, atomically: true, encoding: .utf8)

        let strict = try rollout("ping", "--inventory", inventory, "--output", "json")
        #expect(strict.status == 3)
        for host in fixture.cluster.hosts {
            let error = try #require(try hostsByName(try json(strict))[host.name]?["error"] as? [String: Any])
            #expect(error["code"] as? String == "host-key-unknown")
            #expect((error["message"] as? String)?.contains(host.hostKeyFingerprint) == true)
        }

        let acceptNew = try rollout("ping", "--inventory", inventory, "--host-key-checking", "accept-new")
        #expect(acceptNew.status == 0, "\(acceptNew.stdout)\(acceptNew.stderr)")
        let strictAgain = try rollout("ping", "--inventory", inventory)
        #expect(strictAgain.status == 0, "accept-new recorded the keys for the next strict run")
    }

    @Test("a malformed inventory gives file:line and exit 2 without connecting to any host")
    func malformedInventory() throws {
        let fixture = try ClusterFixture(hosts: 2)
        defer { fixture.stop() }
        let logSizes = fixture.cluster.hosts.map { $0.log().count }

        let broken = fixture.cluster.directory + "/broken.yml"
        let text = try String(contentsOfFile: fixture.inventory, encoding: .utf8)
            .replacingOccurrences(of: "port:", with: "prot:")
        try text.write(toFile: broken, atomically: true, encoding: .utf8)

        for command in [["ping"], ["exec", "--", "touch", "/tmp/should-not-exist"]] {
            let result = try rollout(command[0], ["--inventory", broken] + command.dropFirst())
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("broken.yml:"), "the error names the file and line: \(result.stderr)")
            #expect(result.stderr.contains("prot"), "the error names the key: \(result.stderr)")
            #expect(result.stderr.contains("port"), "the error suggests the right key: \(result.stderr)")
        }
        let after = fixture.cluster.hosts.map { $0.log().count }
        #expect(after == logSizes, "no sshd saw a connection")
    }

    @Test("a missing inventory is an invalid-configuration error naming what was searched")
    func missingInventory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-empty-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try rollout("ping", "--inventory", "prod", currentDirectory: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("inventories/prod.yml"))
    }
}

func rollout(_ command: String, _ rest: [String]) throws -> CommandOutput {
    try runCommand(BuiltProducts.executable("rollout"), [command] + rest, timeout: .seconds(120))
}
