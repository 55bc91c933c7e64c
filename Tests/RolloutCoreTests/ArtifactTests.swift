import Foundation
import RolloutConfig
import Testing

@testable import RolloutCore

@Suite struct ArtifactTests {
    @Test func sha256IsLowercaseHexAsSha256sumPrintsIt() {
        #expect(Digest.sha256Hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func aDirectoryDigestChangesWithContentAndNames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("artifact-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try Data("one".utf8).write(to: dir.appendingPathComponent("bin/app"))
        let spec = ArtifactSpec(path: dir.path, version: nil, versionEnv: nil, maxSize: nil)
        let first = try ArtifactInfo.inspect(spec, playbookFile: "p.yml", baseDirectory: "/")
        #expect(first.kind == .directory)
        #expect(first.size == 3)
        #expect(first.sha256 == Digest.sha256Hex(Array("\(Digest.sha256Hex(Array("one".utf8)))  bin/app\n".utf8)))
        try Data("two".utf8).write(to: dir.appendingPathComponent("bin/app"))
        #expect(try ArtifactInfo.inspect(spec, playbookFile: "p.yml", baseDirectory: "/").sha256 != first.sha256)

        var small = spec
        small.maxSize = 2
        let error = try #require(throws: ConfigError.self) {
            try ArtifactInfo.inspect(small, playbookFile: "p.yml", baseDirectory: "/")
        }
        #expect(error.key == "artifact.max_size")
        let missing = ArtifactSpec(path: "build/nothing", version: nil, versionEnv: nil, maxSize: nil)
        #expect(throws: ConfigError.self) {
            try ArtifactInfo.inspect(missing, playbookFile: "p.yml", baseDirectory: "/")
        }
    }

    @Test func versionComesFromCommandLineThenPlaybookThenEnvironmentThenDigest() throws {
        let digest = String(repeating: "0123456789", count: 7)
        func resolve(_ artifact: String, cli: String? = nil, env: [String: String] = [:]) throws -> ResolvedVersion {
            let playbook = try PlanFixtures.playbook("vars: {tag: \"2.0\"}\n")
            var parsed = playbook
            parsed.artifact = try Playbook.parse("service: {name: s, root: /s}\nartifact: \(artifact)\n", file: "p.yml")
                .artifact
            return try ResolvedVersion.resolve(
                playbook: parsed, commandLine: cli, environment: env, extraVars: [:], artifactDigest: digest)
        }
        #expect(
            try resolve("{path: a, version: \"v{{ tag }}\"}", cli: "9")
                == ResolvedVersion(version: "9", source: .commandLine))
        #expect(
            try resolve("{path: a, version: \"v{{ tag }}\"}") == ResolvedVersion(version: "v2.0", source: .playbook))
        #expect(
            try resolve("{path: a, version_env: V}", env: ["V": "7.1"])
                == ResolvedVersion(version: "7.1", source: .environment("V")))
        #expect(try resolve("{path: a}") == ResolvedVersion(version: "012345678901", source: .artifactDigest))
        let unset = try #require(throws: ConfigError.self) { try resolve("{path: a, version_env: V}") }
        #expect(unset.key == "artifact.version_env")
        #expect(throws: ConfigError.self) { try resolve("{path: a}", cli: "../etc") }
    }
}
