import Foundation
import RolloutTestSupport
import SSHClient
import Testing

extension SSHClientTests {
    @Suite struct Connect {
        /// A stopped sshd still completes TCP handshakes in the kernel: only a timeout covering the SSH handshake
        /// catches it. Meanwhile the other hosts connect normally.
        @Test func stoppedServerFailsWithinTheConnectTimeoutWhileOthersConnect() async throws {
            let cluster = try Fixture.cluster()
            try cluster.pause("h7")
            defer { try? cluster.resume("h7") }
            let options = SSHOptions(connectTimeout: .seconds(2), useAgent: false)
            let started = ContinuousClock.now
            async let stalled: SSHError = Fixture.expectSSHError {
                _ = try await Fixture.connect("h7", options: options)
            }
            async let others: [String] = withThrowingTaskGroup(of: String.self) { group in
                for name in ["h8", "h9", "h10"] {
                    group.addTask {
                        let connection = try await Fixture.connect(name)
                        let output = try await connection.execute("echo \(name)").stdoutText
                        await connection.close()
                        return output
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let error = try await stalled
            let elapsed = ContinuousClock.now - started
            #expect(error.code == .connectTimeout)
            #expect(error.message.contains("2s"))
            // It gave up at the timeout instead of hanging; generous bound for a loaded machine.
            #expect(elapsed < .seconds(15))
            #expect(try await others.sorted() == ["h10\n", "h8\n", "h9\n"])

            try cluster.resume("h7")
            let connection = try await Fixture.connect("h7")
            #expect(try await connection.execute("true").succeeded)
            await connection.close()
        }

        @Test func cancellingTheCallingTaskStopsAHangingHandshake() async throws {
            let cluster = try Fixture.cluster()
            try cluster.pause("h6")
            defer { try? cluster.resume("h6") }
            let started = ContinuousClock.now
            let task = Task {
                try await Fixture.connect("h6", options: SSHOptions(connectTimeout: .seconds(60), useAgent: false))
            }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let error = try await Fixture.expectSSHError { _ = try await task.value }
            #expect(error.code == .cancelled)
            #expect(ContinuousClock.now - started < .seconds(30))
        }

        @Test func nothingListeningIsAConnectFailure() async throws {
            let cluster = try Fixture.cluster()
            let port = try LocalPorts.free()
            let endpoint = SSHEndpoint(address: "127.0.0.1", port: port, user: cluster.user)
            let error = try await Fixture.expectSSHError {
                _ = try await SSHConnection.connect(endpoint, options: Fixture.options)
            }
            #expect(error.code == .connectFailed)
            #expect(error.host == "127.0.0.1:\(port)")
            #expect(error.message.contains("refused"))
        }

        /// A host that goes away under an open connection: the next operation fails as `.disconnected`, and so does
        /// every later one, saying to connect again.
        @Test func serverGoneUnderAnOpenConnection() async throws {
            let cluster = try SSHCluster.start(hosts: 1)
            defer { cluster.stopAll() }
            let host = try cluster.host("h1")
            let connection = try await SSHConnection.connect(
                Fixture.endpoint(host, in: cluster), options: Fixture.options)
            #expect(try await connection.execute("true").succeeded)
            try cluster.stop("h1")
            let first = try await Fixture.expectSSHError {
                _ = try await connection.execute("true", timeout: .seconds(10))
            }
            #expect(first.code == .disconnected)
            #expect(first.message.contains("connection was lost"))
            let second = try await Fixture.expectSSHError { _ = try await connection.execute("true") }
            #expect(second.code == .disconnected)
            #expect(second.message.contains("connect again"))
            await connection.close()
        }
    }
}
