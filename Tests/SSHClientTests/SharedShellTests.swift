import Foundation
import RolloutTestSupport
import SSHClient
import Testing

extension SSHClientTests {
    /// `SSHOptions.sharedShell`: commands that stream no output run in one shell per connection.
    @Suite struct SharedShell {
        static let options = SSHOptions(connectTimeout: .seconds(10), useAgent: false, sharedShell: true)

        /// The pid and name of the process that started the command's shell: the shared loop (`sh`), or sshd
        /// (a new login shell per command).
        private func parent(_ connection: SSHConnection) async throws -> (pid: String, name: String) {
            let result = try await connection.execute("echo $PPID; cat /proc/$PPID/comm", timeout: .seconds(30))
            #expect(result.succeeded)
            let lines = result.stdoutText.split(separator: "\n").map(String.init)
            return (lines.first ?? "", lines.dropFirst().first ?? "")
        }

        @Test func everyCommandRunsInTheSameShell() async throws {
            let shared = try await Fixture.connect("h3", options: Self.options)
            let first = try await parent(shared)
            #expect(first.name == "sh")
            #expect(try await parent(shared) == first)
            #expect(try await parent(shared) == first)
            await shared.close()

            let plain = try await Fixture.connect("h3")
            #expect(try await parent(plain).name.hasPrefix("sshd"), "without it, sshd starts a login shell each time")
            await plain.close()
        }

        @Test func outputStatusAndStdinAreThoseOfTheCommand() async throws {
            let connection = try await Fixture.connect("h4", options: Self.options)
            let failed = try await connection.execute("echo out; echo err >&2; exit 7")
            #expect(failed.exitStatus == 7 && failed.stdoutText == "out\n" && failed.stderrText == "err\n")
            let input = Array("first\nsecond, it's é\n".utf8)
            #expect(try await connection.execute("cat", stdin: input).stdout == input)
            #expect(try await connection.execute("cat").stdout.isEmpty, "no stdin: end of file at once")
            // 5 MiB on each stream: nothing is lost or interleaved, and nothing deadlocks.
            let big = try await connection.execute(
                "head -c 5242880 /dev/zero | tr '\\0' a; head -c 5242880 /dev/zero | tr '\\0' b >&2",
                timeout: .seconds(60))
            #expect(big.stdout.count == 5_242_880 && big.stdout.allSatisfy { $0 == UInt8(ascii: "a") })
            #expect(big.stderr.count == 5_242_880 && big.stderr.allSatisfy { $0 == UInt8(ascii: "b") })
            // A signal is reported the way `sh` reports it.
            #expect(try await connection.execute("kill -KILL $$").exitStatus == 128 + 9)
            // Uploads verify their digest through the shared shell as well.
            let local = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: local) }
            let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try Data(bytes).write(to: URL(fileURLWithPath: local + "/file"))
            let remoteDirectory = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: remoteDirectory) }
            let remote = remoteDirectory + "/uploaded"
            _ = try await connection.upload(from: local + "/file", to: remote)
            #expect(try Data(contentsOf: URL(fileURLWithPath: remote)) == Data(bytes))
            await connection.close()
        }

        @Test func aTimeoutAbandonsTheShellAndTheNextCommandGetsANewOne() async throws {
            let connection = try await Fixture.connect("h5", options: Self.options)
            let before = try await parent(connection)
            let error = try await Fixture.expectSSHError {
                _ = try await connection.execute("sleep 3", timeout: .milliseconds(500))
            }
            #expect(error.code == .commandTimeout)
            let after = try await parent(connection)
            #expect(after.pid != before.pid && after.name == "sh")
            #expect(try await parent(connection) == after)
            await connection.close()
        }

        @Test func itsTemporaryDirectoryIsRemovedWhenTheConnectionCloses() async throws {
            let connection = try await Fixture.connect("h6", options: Self.options)
            let stdinFile = try await connection.execute("readlink /proc/$$/fd/0").stdoutText
                .trimmingCharacters(in: .newlines)
            let directory = (stdinFile as NSString).deletingLastPathComponent
            #expect(directory.contains("rollout-shell."))
            #expect(FileManager.default.fileExists(atPath: directory))
            await connection.close()
            // The loop sees the end of its input and exits, removing the directory (the cluster's hosts share
            // this file system).
            let deadline = ContinuousClock.now + .seconds(10)
            while FileManager.default.fileExists(atPath: directory) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(!FileManager.default.fileExists(atPath: directory))
        }

        /// A host where the loop cannot start (here a `mktemp` that fails, first on the hosts' PATH) still runs
        /// every command, each on its own channel.
        @Test func aHostWhereTheShellCannotStartGetsAChannelPerCommand() async throws {
            let cluster = try Fixture.cluster()
            let mktemp = cluster.binDirectory + "/mktemp"
            try "#!/bin/sh\necho 'mktemp: no space left' >&2\nexit 1\n".write(
                toFile: mktemp, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: mktemp) }
            chmod(mktemp, 0o755)
            let connection = try await Fixture.connect("h7", options: Self.options)
            let result = try await connection.execute("echo works; exit 4")
            #expect(result.exitStatus == 4 && result.stdoutText == "works\n")
            #expect(try await parent(connection).name.hasPrefix("sshd"))
            await connection.close()
        }
    }
}
