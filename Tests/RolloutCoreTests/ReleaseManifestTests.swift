import Foundation
import RolloutConfig
import Testing

@testable import RolloutCore

/// The host-side manifest digest of a directory release agrees with the local one the plan journals.
@Suite struct ReleaseManifestTests {
    @Test("the remote manifest script (run here by sh) prints ArtifactInfo's digest; any change gives another")
    func remoteDigestEqualsLocalDigest() throws {
        let directory = NSTemporaryDirectory() + "manifest-\(UUID().uuidString)"
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory + "/bin/sub", withIntermediateDirectories: true)
        defer { try? manager.removeItem(atPath: directory) }
        try "#!/bin/sh\necho hi\n".write(toFile: directory + "/bin/run", atomically: true, encoding: .utf8)
        try "a-b".write(toFile: directory + "/a-b", atomically: true, encoding: .utf8)
        try "nested".write(toFile: directory + "/bin/sub/data file.txt", atomically: true, encoding: .utf8)
        try Data().write(to: URL(fileURLWithPath: directory + "/empty"))
        try manager.createSymbolicLink(atPath: directory + "/link", withDestinationPath: "bin/run")

        func local() throws -> String {
            try ArtifactInfo.inspect(ArtifactSpec(path: directory), playbookFile: "p.yml", baseDirectory: "/").sha256
        }
        func remote() throws -> String {
            let command = ReleaseManifest.digest(of: directory, on: "h1")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = Array(command.argv.dropFirst())
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let before = try local()
        #expect(try remote() == before)
        try "changed".write(toFile: directory + "/bin/sub/data file.txt", atomically: true, encoding: .utf8)
        #expect(try remote() == (try local()))
        #expect(try remote() != before)
        try "stale".write(toFile: directory + "/extra", atomically: true, encoding: .utf8)
        #expect(try remote() == (try local()))
    }
}
