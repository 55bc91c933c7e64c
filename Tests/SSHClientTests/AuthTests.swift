import Foundation
import RolloutTestSupport
import SSHClient
import Testing

extension SSHClientTests {
    @Suite struct Authentication {
        @Test func wrongKeyIsRefusedWithAClearMessage() async throws {
            let cluster = try Fixture.cluster()
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let stranger = dir + "/id_stranger"
            _ = try runCommand(try BuiltProducts.tool("ssh-keygen"), ["-q", "-t", "ed25519", "-N", "", "-f", stranger])
            let endpoint = Fixture.endpoint(try cluster.host("h1"), in: cluster, key: stranger)
            let error = try await Fixture.expectSSHError {
                _ = try await SSHConnection.connect(endpoint, options: Fixture.options)
            }
            #expect(error.code == .authenticationFailed)
            #expect(error.message.contains("'\(cluster.user)'"))
            #expect(error.message.contains("\(stranger) (rejected by the server)"))
            #expect(error.message.contains("ssh-agent not used"))
        }

        @Test func wrongUserIsRefusedWithAClearMessage() async throws {
            let cluster = try Fixture.cluster()
            let endpoint = Fixture.endpoint(try cluster.host("h2"), in: cluster, user: "rollout-no-such-user")
            let error = try await Fixture.expectSSHError {
                _ = try await SSHConnection.connect(endpoint, options: Fixture.options)
            }
            #expect(error.code == .authenticationFailed)
            #expect(error.message.contains("'rollout-no-such-user'"))
            #expect(error.message.contains(cluster.userKeyPath))
        }

        @Test func passphraseComesFromTheNamedEnvironmentVariable() async throws {
            let cluster = try Fixture.cluster()
            // A variable only this test uses, so tests running in parallel elsewhere are not affected.
            let variable = "ROLLOUT_TEST_PASSPHRASE_\(UInt32.random(in: 0...UInt32.max))"
            var options = Fixture.options
            options.passphraseEnvironmentVariable = variable
            let endpoint = Fixture.endpoint(try cluster.host("h3"), in: cluster, key: cluster.encryptedUserKeyPath)

            let missing = try await Fixture.expectSSHError {
                _ = try await SSHConnection.connect(endpoint, options: options)
            }
            #expect(missing.code == .authenticationFailed)
            #expect(missing.message.contains("$\(variable)"))

            setenv(variable, "not the passphrase", 1)
            defer { unsetenv(variable) }
            let wrong = try await Fixture.expectSSHError {
                _ = try await SSHConnection.connect(endpoint, options: options)
            }
            #expect(wrong.code == .authenticationFailed)

            setenv(variable, cluster.encryptedUserKeyPassphrase, 1)
            let connection = try await SSHConnection.connect(endpoint, options: options)
            #expect(try await connection.execute("echo in").stdoutText == "in\n")
            await connection.close()
        }

        @Test func agentKeysAreTriedFirst() async throws {
            let cluster = try Fixture.cluster()
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let socket = dir + "/agent.sock"
            let agent = try spawnProcess(try BuiltProducts.tool("ssh-agent"), ["-D", "-a", socket])
            defer { ProcessTree.killTree(agent) }
            let deadline = ContinuousClock.now + .seconds(10)
            while !FileManager.default.fileExists(atPath: socket) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let add = try runCommand(
                try BuiltProducts.tool("ssh-add"), [cluster.userKeyPath],
                environment: ["SSH_AUTH_SOCK": socket], timeout: .seconds(30))
            #expect(add.status == 0, "ssh-add: \(add.stderr)")
            // The only key file does not exist: the login can only succeed through the agent.
            let endpoint = Fixture.endpoint(try cluster.host("h4"), in: cluster, key: dir + "/absent_key")
            var options = Fixture.options
            options.useAgent = true
            options.agentSocketPath = socket
            let connection = try await SSHConnection.connect(endpoint, options: options)
            #expect(try await connection.execute("true").succeeded)
            await connection.close()

            options.useAgent = false
            let error = try await Fixture.expectSSHError {
                _ = try await SSHConnection.connect(endpoint, options: options)
            }
            #expect(error.message.contains("\(dir)/absent_key (cannot be read)"))
        }
    }
}
