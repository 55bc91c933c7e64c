import Foundation
import RolloutTestSupport
import SSHClient
import Testing

extension SSHClientTests {
    @Suite struct Exec {
        /// Each command waits until all ten have started (a barrier in a directory every host sees): this only
        /// finishes if the ten run at the same time, not two at a time on the cooperative pool's threads.
        @Test func runsOnTenHostsConcurrently() async throws {
            let cluster = try Fixture.cluster()
            let barrier = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: barrier) }
            let script =
                "touch \(barrier)/$PPID; while [ $(ls \(barrier) | wc -l) -lt 10 ]; do sleep 0.05; done; "
                + "echo $SSH_CONNECTION; echo done >&2"
            let results = try await withThrowingTaskGroup(of: (String, SSHCommandResult, String).self) { group in
                for host in cluster.hosts {
                    group.addTask {
                        let connection = try await Fixture.connect(host.name)
                        let result = try await connection.execute(script, timeout: .seconds(30))
                        await connection.close()
                        return (host.name, result, connection.hostKeyFingerprint)
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = ($1.1, $1.2) }
            }
            #expect(results.count == 10)
            for host in cluster.hosts {
                let (result, fingerprint) = try #require(results[host.name])
                #expect(result.succeeded)
                // The server side of $SSH_CONNECTION names the port we reached: each host answered for itself.
                #expect(result.stdoutText.hasSuffix(" 127.0.0.1 \(host.port)\n"))
                // The end of stderr, not all of it: ten login shells of the lab's root start at once, and its
                // `pyenv init` may complain on stderr that another one holds the shims' lock.
                #expect(result.stderrText.hasSuffix("done\n") && !result.stdoutText.contains("done"))
                #expect(fingerprint == host.hostKeyFingerprint)
            }
        }

        @Test func reportsExitStatusAndSignal() async throws {
            let connection = try await Fixture.connect("h1")
            let failed = try await connection.execute("exit 7")
            #expect(failed.exitStatus == 7 && failed.exitSignal == nil && !failed.succeeded)
            let killed = try await connection.execute("kill -KILL $$")
            #expect(killed.exitSignal == "KILL")
            #expect(killed.exitStatus == nil)
            let ok = try await connection.execute("true")
            #expect(ok.succeeded)
            await connection.close()
        }

        @Test func passesStdinAndStreamsChunks() async throws {
            let connection = try await Fixture.connect("h2")
            let chunks = ChunkLog()
            let input = Array("line one\nline two\n".utf8)
            let result = try await connection.execute("cat; echo err >&2", stdin: input) { chunks.append($0) }
            #expect(result.stdout == input)
            #expect(result.stderrText == "err\n")
            #expect(chunks.stdout == input)
            #expect(chunks.stderr == Array("err\n".utf8))
            // Without stdin the command sees end-of-file at once instead of hanging.
            let empty = try await connection.execute("cat", timeout: .seconds(20))
            #expect(empty.succeeded && empty.stdout.isEmpty)
            await connection.close()
        }

        @Test(arguments: ["stdout", "stderr", "both"])
        func fiveMebibytesDoNotDeadlock(stream: String) async throws {
            let connection = try await Fixture.connect("h3")
            let size = 5 * 1024 * 1024
            let command =
                switch stream {
                case "stdout": "head -c \(size) /dev/zero"
                case "stderr": "head -c \(size) /dev/zero >&2"
                default: "head -c \(size) /dev/zero & head -c \(size) /dev/urandom >&2; wait"
                }
            let result = try await connection.execute(command, timeout: .seconds(60))
            #expect(result.succeeded)
            #expect(result.stdout.count == (stream == "stderr" ? 0 : size))
            #expect(result.stderr.count == (stream == "stdout" ? 0 : size))
            await connection.close()
        }

        @Test func commandTimeoutClosesTheChannelAndTheConnectionStaysUsable() async throws {
            let connection = try await Fixture.connect("h4")
            let error = try await Fixture.expectSSHError {
                _ = try await connection.execute("sleep 30", timeout: .seconds(1))
            }
            #expect(error.code == .commandTimeout)
            let next = try await connection.execute("echo still here")
            #expect(next.stdoutText == "still here\n")
            // A command started after the timed-out one runs normally, also on a new connection.
            let fresh = try await Fixture.connect("h4")
            #expect(try await fresh.execute("echo fresh").stdoutText == "fresh\n")
            await fresh.close()
            await connection.close()
        }

        @Test func cancellingTheCallingTaskClosesTheChannel() async throws {
            let connection = try await Fixture.connect("h9")
            let (started, signal) = AsyncStream<Void>.makeStream()
            let task = Task {
                try await connection.execute("echo started; sleep 30") { chunk in
                    if case .stdout = chunk { signal.yield() }
                }
            }
            for await _ in started { break }
            task.cancel()
            let error = try await Fixture.expectSSHError { _ = try await task.value }
            #expect(error.code == .cancelled)
            #expect(try await connection.execute("echo next").stdoutText == "next\n")
            await connection.close()
        }

        @Test func closedConnectionRefusesWork() async throws {
            let connection = try await Fixture.connect("h5")
            await connection.close()
            let error = try await Fixture.expectSSHError { _ = try await connection.execute("true") }
            #expect(error.code == .disconnected)
        }
    }
}

/// Collects output chunks from the executor thread.
final class ChunkLog: @unchecked Sendable {
    private let lock = NSLock()
    private var out: [UInt8] = [], err: [UInt8] = []

    func append(_ chunk: SSHOutputChunk) {
        lock.withLock {
            switch chunk {
            case .stdout(let bytes): out += bytes
            case .stderr(let bytes): err += bytes
            }
        }
    }

    var stdout: [UInt8] { lock.withLock { out } }
    var stderr: [UInt8] { lock.withLock { err } }
}
