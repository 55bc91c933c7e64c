import Foundation
import RolloutTestSupport
import SSHClient
import Testing

extension SSHClientTests {
    @Suite struct HostKeys {
        @Test func unknownHostKeyIsRefusedInStrictMode() async throws {
            let cluster = try Fixture.cluster()
            let host = try cluster.host("h1")
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let knownHosts = dir + "/known_hosts"
            try "".write(toFile: knownHosts, atomically: true, encoding: .utf8)
            let endpoint = Fixture.endpoint(host, in: cluster, knownHosts: knownHosts)
            let error = try await Fixture.expectSSHError {
                _ = try await SSHConnection.connect(endpoint, options: Fixture.options)
            }
            #expect(error.code == .hostKeyUnknown)
            #expect(error.message.contains(host.hostKeyFingerprint))
            #expect(error.message.contains(knownHosts))
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8).isEmpty)
        }

        @Test func acceptNewRecordsUnknownKeysThenStrictAccepts() async throws {
            let cluster = try Fixture.cluster()
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            // A file that does not exist yet, in a directory that does not exist yet, like a fresh ~/.ssh.
            let knownHosts = dir + "/ssh/known_hosts"
            let acceptNew = SSHOptions(hostKeyChecking: .acceptNew, useAgent: false)
            // All ten hosts at once: concurrent appends must neither interleave nor get lost.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for host in cluster.hosts {
                    group.addTask {
                        let endpoint = Fixture.endpoint(host, in: cluster, knownHosts: knownHosts)
                        let connection = try await SSHConnection.connect(endpoint, options: acceptNew)
                        await connection.close()
                    }
                }
                try await group.waitForAll()
            }
            let lines = try String(contentsOfFile: knownHosts, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(Set(lines) == Set(cluster.hosts.map { "\($0.knownHostsName) \($0.hostPublicKey)" }))
            #expect(lines.count == 10)
            for host in cluster.hosts.prefix(3) {
                let connection = try await SSHConnection.connect(
                    Fixture.endpoint(host, in: cluster, knownHosts: knownHosts), options: Fixture.options)
                #expect(connection.hostKeyFingerprint == host.hostKeyFingerprint)
                await connection.close()
            }
            // OpenSSH itself accepts the file we wrote.
            let ssh = try runCommand(
                try BuiltProducts.tool("ssh"),
                [
                    "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                    "-o", "UserKnownHostsFile=\(knownHosts)", "-i", cluster.userKeyPath, "-p",
                    "\(cluster.hosts[0].port)",
                    "\(cluster.user)@127.0.0.1", "echo ok",
                ], timeout: .seconds(30))
            #expect(ssh.stdout == "ok\n", "ssh: \(ssh.stderr)")
        }

        @Test(arguments: HostKeyChecking.allCases)
        func changedHostKeyIsAlwaysRefused(checking: HostKeyChecking) async throws {
            let cluster = try Fixture.cluster()
            let (h1, h2) = (try cluster.host("h1"), try cluster.host("h2"))
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let knownHosts = dir + "/known_hosts"
            // Line 2 claims h1 has h2's key.
            let text = "# comment\n\(h1.knownHostsName) \(h2.hostPublicKey)\n"
            try text.write(toFile: knownHosts, atomically: true, encoding: .utf8)
            var options = Fixture.options
            options.hostKeyChecking = checking
            let error = try await Fixture.expectSSHError {
                _ = try await SSHConnection.connect(
                    Fixture.endpoint(h1, in: cluster, knownHosts: knownHosts),
                    options: options)
            }
            #expect(error.code == .hostKeyChanged)
            #expect(error.message.contains(h1.hostKeyFingerprint))
            #expect(error.message.contains("\(knownHosts):2"))
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == text)
        }

        @Test func hashedEntriesAreAccepted() async throws {
            let cluster = try Fixture.cluster()
            let hashed = try String(contentsOfFile: cluster.hashedKnownHostsPath, encoding: .utf8)
            #expect(hashed.split(separator: "\n").allSatisfy { $0.hasPrefix("|1|") })
            #expect(!hashed.contains("127.0.0.1"))
            let host = try cluster.host("h3")
            let connection = try await SSHConnection.connect(
                Fixture.endpoint(host, in: cluster, knownHosts: cluster.hashedKnownHostsPath), options: Fixture.options)
            #expect(connection.hostKeyFingerprint == host.hostKeyFingerprint)
            await connection.close()
        }

        @Test func changedKeyBehindHashedEntryNamesTheLine() async throws {
            let cluster = try Fixture.cluster()
            let (h3, h4) = (try cluster.host("h3"), try cluster.host("h4"))
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let knownHosts = dir + "/known_hosts"
            try "\(h3.knownHostsName) \(h4.hostPublicKey)\n".write(
                toFile: knownHosts, atomically: true, encoding: .utf8)
            let keygen = try runCommand(try BuiltProducts.tool("ssh-keygen"), ["-q", "-H", "-f", knownHosts])
            #expect(keygen.status == 0)
            let error = try await Fixture.expectSSHError {
                _ = try await SSHConnection.connect(
                    Fixture.endpoint(h3, in: cluster, knownHosts: knownHosts),
                    options: Fixture.options)
            }
            #expect(error.code == .hostKeyChanged)
            #expect(error.message.contains("\(knownHosts):1"))
        }

        /// Lines libssh2 1.10 cannot parse (key types it does not know, truncated lines), each of which makes
        /// libssh2_knownhost_readfile reject the whole file, are skipped; marker lines are not taken for hosts.
        @Test func linesLibssh2CannotParseAreSkipped() async throws {
            let cluster = try Fixture.cluster()
            let host = try cluster.host("h5")
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let knownHosts = dir + "/known_hosts"
            let text = """
                @cert-authority *.example.com \(host.hostPublicKey)
                example.org ssh-future-key-type AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIP
                truncated.example.net
                \(host.knownHostsName) \(host.hostPublicKey)

                """
            try text.write(toFile: knownHosts, atomically: true, encoding: .utf8)
            let connection = try await SSHConnection.connect(
                Fixture.endpoint(host, in: cluster, knownHosts: knownHosts), options: Fixture.options)
            #expect(connection.hostKeyFingerprint == host.hostKeyFingerprint)
            await connection.close()
        }

        @Test func revokedKeyIsRefused() async throws {
            let cluster = try Fixture.cluster()
            let host = try cluster.host("h6")
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let knownHosts = dir + "/known_hosts"
            let text = "@revoked * \(host.hostPublicKey)\n\(host.knownHostsName) \(host.hostPublicKey)\n"
            try text.write(toFile: knownHosts, atomically: true, encoding: .utf8)
            let error = try await Fixture.expectSSHError {
                _ = try await SSHConnection.connect(
                    Fixture.endpoint(host, in: cluster, knownHosts: knownHosts), options: Fixture.options)
            }
            #expect(error.code == .hostKeyRevoked)
            #expect(error.message.contains(host.hostKeyFingerprint))
        }
    }
}
