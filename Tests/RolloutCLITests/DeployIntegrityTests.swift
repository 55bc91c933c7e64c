import Foundation
import RolloutTestSupport
import Testing

/// What a host already has is trusted only when it is provably what was asked for: a directory release by its
/// manifest digest, and never a file at a name anyone could have planted.
@Suite("rollout deploy and agent install: digests and temporary names", .serialized)
struct DeployIntegrityTests {
    @Test("a directory release already on the host whose files differ from the artifact is replaced, not trusted")
    func staleDirectoryReleaseIsReplaced() throws {
        let fixture = try DeployFixture(hosts: 1)
        defer { fixture.stop() }
        let playbook = DeployFixture.playbook(extra: "serial: 1", successes: 1).replacingOccurrences(
            of: "path: artifact/rollout-demo-service", with: "path: artifact")
        try playbook.write(toFile: fixture.project + "/playbooks/demo.yml", atomically: true, encoding: .utf8)
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        let v1 = try fixture.deploy("v1")
        #expect(v1.status == 0, "\(v1.stdout)\(v1.stderr)")

        // A `releases/v2` left behind (a half-finished copy, another tool): same name, other content.
        let stale = fixture.cluster.hosts[0].rootDirectory + "/srv/releases/v2"
        try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: true)
        try "#!/bin/sh\necho 'not the artifact' >&2\nexit 3\n".write(
            toFile: stale + "/rollout-demo-service", atomically: true, encoding: .utf8)
        chmod(stale + "/rollout-demo-service", 0o755)

        let v2 = try fixture.deploy("v2")
        #expect(v2.status == 0, "\(v2.stdout)\(v2.stderr)")
        #expect(fixture.servedVersions()["h1"] == "v2")
        let phases = try #require(
            try hostsByName(try json(try fixture.rollout(["show", "2", "--output", "json"])))["h1"]?["phases"]
                as? [[String: Any]])
        let upload = try #require(phases.detail(of: "upload"), "\(phases)")
        #expect(upload["skipped"] == nil, "the stale release was not trusted: \(upload)")
        #expect((upload["bytes"] as? Int ?? 0) > 0, "\(upload)")

        // The same release, now verified, is not uploaded again.
        let again = try fixture.deploy("v2")
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
    }

    @Test(
        "agent install writes its config through a fresh temporary name: a symlink planted at `agent.yml.tmp` is inert")
    func plantedConfigTemporaryIsNotFollowed() throws {
        let fixture = try DeployFixture(hosts: 1)
        defer { fixture.stop() }
        try fixture.stageDemoService()
        let root = fixture.cluster.hosts[0].rootDirectory + "/srv"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let victim = fixture.cluster.directory + "/victim"
        try FileManager.default.createSymbolicLink(atPath: root + "/agent.yml.tmp", withDestinationPath: victim)

        let install = try fixture.installAgents()
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        #expect(!FileManager.default.fileExists(atPath: victim), "the config was written through the planted link")
        let type = try FileManager.default.attributesOfItem(atPath: root + "/agent.yml")[.type] as? FileAttributeType
        #expect(type == .typeRegular)
        let mode = try FileManager.default.attributesOfItem(atPath: root + "/agent.yml")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root).filter {
            $0.hasPrefix("agent.yml.") && $0 != "agent.yml.tmp"
        }
        #expect(leftovers.isEmpty, "\(leftovers)")
        #expect(try fixture.deploy("v1").status == 0)
    }
}
