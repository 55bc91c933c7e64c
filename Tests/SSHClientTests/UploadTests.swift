import Foundation
import RolloutTestSupport
import Testing

@testable import SSHClient

extension SSHClientTests {
    @Suite struct Upload {
        @Test func tenMebibytesArriveIntactWithTheirMode() async throws {
            let cluster = try Fixture.cluster()
            let host = try cluster.host("h5")
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let local = dir + "/artifact.bin"
            try randomFile(local, bytes: 10 * 1024 * 1024, mode: 0o640)
            let localSum = try sha256sum(local)
            let remote = host.rootDirectory + "/upload-\(UUID().uuidString).bin"

            let connection = try await Fixture.connect("h5")
            let result = try await connection.upload(from: local, to: remote, timeout: .seconds(120))
            #expect(result.bytes == 10 * 1024 * 1024)
            #expect(result.sha256 == localSum)
            #expect(result.remotePath == remote)
            let check = try await connection.execute("sha256sum \(remote); stat -c %a \(remote); ls -l \(remote)")
            let lines = check.stdoutText.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines.first?.hasPrefix(localSum) == true)
            #expect(lines.dropFirst().first == "640")
            #expect(lines.last?.hasPrefix("-rw-r-----") == true)
            #expect(try await leftovers(in: host.rootDirectory, connection).isEmpty)
            await connection.close()
        }

        @Test func overwritesAnExistingFileAndHonoursAnExplicitMode() async throws {
            let cluster = try Fixture.cluster()
            let host = try cluster.host("h6")
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let (first, second) = (dir + "/v1", dir + "/v2")
            try Data("version 1\n".utf8).write(to: URL(fileURLWithPath: first))
            try Data("version 2\n".utf8).write(to: URL(fileURLWithPath: second))
            let remote = host.rootDirectory + "/release.txt"

            let connection = try await Fixture.connect("h6")
            _ = try await connection.upload(from: first, to: remote)
            let result = try await connection.upload(
                from: second, to: remote, mode: 0o700,
                expectedSHA256: try sha256sum(second).uppercased())
            #expect(result.bytes == 10)
            let check = try await connection.execute("cat \(remote); stat -c %a \(remote)")
            #expect(check.stdoutText == "version 2\n700\n")
            #expect(try await leftovers(in: host.rootDirectory, connection).isEmpty)
            await connection.close()
        }

        /// A byte flipped on the way (injected after hashing, before sending) is caught by the remote SHA-256; the
        /// old file stays in place and no temporary file is left behind.
        @Test func corruptionInTransitIsDetectedAndTheDestinationUntouched() async throws {
            let cluster = try Fixture.cluster()
            let host = try cluster.host("h7")
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let local = dir + "/artifact.bin"
            try randomFile(local, bytes: 3 * SSHUpload.chunkSize + 1000, mode: 0o644)
            let remote = host.rootDirectory + "/current.bin"
            try Data("old content\n".utf8).write(to: URL(fileURLWithPath: remote))

            let connection = try await Fixture.connect("h7")
            connection.hooks.corruptUploadChunk = { index, chunk in
                if index == 2 { chunk[17] ^= 0x01 }
            }
            let error = try await Fixture.expectSSHError {
                _ = try await connection.upload(from: local, to: remote)
            }
            #expect(error.code == .checksumMismatch)
            #expect(error.message.contains("corrupted"))
            #expect(try await connection.execute("cat \(remote)").stdoutText == "old content\n")
            #expect(try await leftovers(in: host.rootDirectory, connection).isEmpty)

            // The same connection uploads intact once the fault is gone.
            connection.hooks.corruptUploadChunk = nil
            let result = try await connection.upload(from: local, to: remote)
            #expect(try await connection.execute("sha256sum \(remote)").stdoutText.hasPrefix(result.sha256))
            await connection.close()
        }

        /// While the server acknowledges nothing (its session processes stopped), the upload has already read
        /// and sent `bytesInFlight` bytes instead of waiting for its first chunk to be acknowledged: on a link with
        /// a round-trip time, that window is what travels per round trip.
        @Test func keepsAWindowOfBytesInFlightWhileTheServerIsSilent() async throws {
            let cluster = try SSHCluster.start(hosts: 1)
            defer { cluster.stopAll() }
            let host = try cluster.host("h1")
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let local = dir + "/artifact.bin"
            try randomFile(local, bytes: 4 * SSHUpload.bytesInFlight, mode: 0o644)
            let connection = try await SSHConnection.connect(
                Fixture.endpoint(host, in: cluster), options: Fixture.options)
            // Opens the SFTP channel, so that the session processes stopped below are the ones serving it.
            _ = try await connection.upload(from: "/etc/hostname", to: host.rootDirectory + "/warm")
            let sessions = ProcessTree.descendants(of: host.pid)
            try #require(!sessions.isEmpty, "no sshd session process below \(host.pid)")
            let reads = ReadCounter()
            connection.hooks.corruptUploadChunk = { index, _ in
                if index == 0 { for pid in sessions { kill(pid, SIGSTOP) } }
                reads.increment()
            }
            let upload = Task { try await connection.upload(from: local, to: host.rootDirectory + "/a.bin") }
            var seen = -1
            let deadline = ContinuousClock.now + .seconds(10)
            while reads.value != seen && ContinuousClock.now < deadline {  // until reading stops for 1 s
                seen = reads.value
                try await Task.sleep(for: .seconds(1))
            }
            for pid in sessions { kill(pid, SIGCONT) }
            let result = try await upload.value
            #expect(seen * SSHUpload.chunkSize == SSHUpload.bytesInFlight)
            #expect(result.sha256 == (try sha256sum(local)))
            await connection.close()
        }

        @Test func cancelledUploadLeavesNothingBehind() async throws {
            let cluster = try Fixture.cluster()
            let host = try cluster.host("h9")
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let local = dir + "/artifact.bin"
            // Large enough that the cancellation arrives while bytes are still to be sent: the first window of
            // chunks (index 1 among them) is read before anything is written.
            try randomFile(local, bytes: 16 * SSHUpload.bytesInFlight, mode: 0o644)
            let remote = host.rootDirectory + "/cancelled.bin"
            let connection = try await Fixture.connect("h9")
            let (reached, signal) = AsyncStream<Void>.makeStream()
            connection.hooks.corruptUploadChunk = { index, _ in if index == 1 { signal.yield() } }
            let task = Task { try await connection.upload(from: local, to: remote) }
            for await _ in reached { break }
            task.cancel()
            let error = try await Fixture.expectSSHError { _ = try await task.value }
            #expect(error.code == .cancelled)
            #expect(try await connection.execute("test -e \(remote)").exitStatus == 1)
            #expect(try await leftovers(in: host.rootDirectory, connection).isEmpty)
            await connection.close()
        }

        @Test func timedOutUploadLeavesNothingAndTheConnectionWorks() async throws {
            let cluster = try Fixture.cluster()
            let host = try cluster.host("h10")
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let local = dir + "/artifact.bin"
            try randomFile(local, bytes: 10 * 1024 * 1024, mode: 0o644)
            let remote = host.rootDirectory + "/slow.bin"
            let connection = try await Fixture.connect("h10")
            // Warm up the SFTP channel so that the timeout strikes in the middle of the transfer.
            _ = try await connection.upload(from: "/etc/hostname", to: host.rootDirectory + "/warm")
            let error = try await Fixture.expectSSHError {
                _ = try await connection.upload(from: local, to: remote, timeout: .milliseconds(50))
            }
            #expect(error.code == .commandTimeout)
            #expect(try await connection.execute("test -e \(remote)").exitStatus == 1)
            #expect(try await leftovers(in: host.rootDirectory, connection).isEmpty)
            let retry = try await connection.upload(from: local, to: remote, timeout: .seconds(60))
            #expect(retry.sha256 == (try sha256sum(local)))
            await connection.close()
        }

        @Test func wrongExpectedDigestInstallsNothing() async throws {
            let cluster = try Fixture.cluster()
            let host = try cluster.host("h8")
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let local = dir + "/artifact.bin"
            try randomFile(local, bytes: 4096, mode: 0o644)
            let remote = host.rootDirectory + "/never.bin"
            let connection = try await Fixture.connect("h8")
            let error = try await Fixture.expectSSHError {
                _ = try await connection.upload(
                    from: local, to: remote, expectedSHA256: String(repeating: "0", count: 64))
            }
            #expect(error.code == .checksumMismatch)
            #expect(error.message.contains(String(repeating: "0", count: 64)))
            #expect(try await connection.execute("test -e \(remote)").exitStatus == 1)
            #expect(try await leftovers(in: host.rootDirectory, connection).isEmpty)
            await connection.close()
        }

        @Test func missingLocalFileAndMissingRemoteDirectoryAreReported() async throws {
            let cluster = try Fixture.cluster()
            let host = try cluster.host("h8")
            let connection = try await Fixture.connect("h8")
            let local = try await Fixture.expectSSHError {
                _ = try await connection.upload(from: "/nonexistent/rollout-artifact", to: host.rootDirectory + "/x")
            }
            #expect(local.code == .localFile)
            let remote = try await Fixture.expectSSHError {
                _ = try await connection.upload(from: "/etc/hostname", to: host.rootDirectory + "/no/such/dir/x")
            }
            #expect(remote.code == .sftpFailed)
            #expect(remote.function == "libssh2_sftp_open_ex")
            #expect(try await connection.execute("true").succeeded)
            await connection.close()
        }
    }
}

/// Writes `bytes` random bytes to `path` with `mode`.
func randomFile(_ path: String, bytes: Int, mode: Int) throws {
    let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
    defer { try? random.close() }
    let data = try #require(try random.read(upToCount: bytes))
    #expect(data.count == bytes)
    try data.write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
}

/// The SHA-256 of a local file as the system's `sha256sum` computes it (independent of the code under test).
func sha256sum(_ path: String) throws -> String {
    let output = try runCommand(try BuiltProducts.tool("sha256sum"), [path])
    return String(output.stdout.prefix(64))
}

/// Temporary upload files left in `directory` on the host.
func leftovers(in directory: String, _ connection: SSHConnection) async throws -> [String] {
    let listing = try await connection.execute("ls -A \(directory)")
    return listing.stdoutText.split(separator: "\n").map(String.init).filter { $0.contains("rollout-tmp") }
}

/// Counts the upload's chunk reads from the executor thread.
private final class ReadCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
