import Foundation
import RolloutTestSupport
import SSHClient
import Testing

extension SSHClientTests {
    @Suite struct Bastion {
        /// The target is reached through a direct-tcpip channel on the bastion: the bastion's sshd logs the
        /// forward to the target's port, and the target sees the connection come from the bastion's process.
        @Test func hostReachedThroughABastion() async throws {
            let cluster = try Fixture.cluster()
            let bastion = try #require(cluster.bastion)
            let target = try cluster.host("h9")
            var endpoint = Fixture.endpoint(target, in: cluster)
            endpoint.jump = [Fixture.endpoint(bastion, in: cluster)]

            let connection = try await SSHConnection.connect(endpoint, options: Fixture.options)
            #expect(connection.hostKeyFingerprint == target.hostKeyFingerprint)
            let result = try await connection.execute("echo $SSH_CONNECTION")
            #expect(result.stdoutText.hasSuffix(" 127.0.0.1 \(target.port)\n"))
            #expect(bastion.log().contains("target 127.0.0.1 port \(target.port)"))

            // Bulk traffic in both directions through the tunnel.
            let big = try await connection.execute(
                "head -c 3000000 /dev/zero; head -c 2000000 /dev/zero >&2",
                timeout: .seconds(60))
            #expect(big.stdout.count == 3_000_000 && big.stderr.count == 2_000_000)
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try randomFile(dir + "/payload", bytes: 2 * 1024 * 1024, mode: 0o600)
            let upload = try await connection.upload(
                from: dir + "/payload", to: target.rootDirectory + "/via-bastion",
                timeout: .seconds(60))
            #expect(upload.sha256 == (try sha256sum(dir + "/payload")))
            await connection.close()
        }

        /// Two hops (bastion, then h10 as a second bastion) to h8; each hop's sshd logs its forward.
        @Test func hostReachedThroughTwoHops() async throws {
            let cluster = try Fixture.cluster()
            let bastion = try #require(cluster.bastion)
            let (hop, target) = (try cluster.host("h10"), try cluster.host("h8"))
            var endpoint = Fixture.endpoint(target, in: cluster)
            endpoint.jump = [Fixture.endpoint(bastion, in: cluster), Fixture.endpoint(hop, in: cluster)]
            let connection = try await SSHConnection.connect(endpoint, options: Fixture.options)
            #expect(try await connection.execute("echo $SSH_CONNECTION").stdoutText.hasSuffix(" \(target.port)\n"))
            #expect(bastion.log().contains("target 127.0.0.1 port \(hop.port)"))
            #expect(hop.log().contains("target 127.0.0.1 port \(target.port)"))
            await connection.close()
        }

        @Test func bastionHostKeyIsCheckedToo() async throws {
            let cluster = try Fixture.cluster()
            let bastion = try #require(cluster.bastion)
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            // The bastion's known_hosts lacks it; the target's entry is fine.
            try "".write(toFile: dir + "/empty", atomically: true, encoding: .utf8)
            var endpoint = Fixture.endpoint(try cluster.host("h9"), in: cluster)
            endpoint.jump = [Fixture.endpoint(bastion, in: cluster, knownHosts: dir + "/empty")]
            let error = try await Fixture.expectSSHError {
                _ = try await SSHConnection.connect(endpoint, options: Fixture.options)
            }
            #expect(error.code == .hostKeyUnknown)
            #expect(error.host == "127.0.0.1:\(bastion.port)")
            #expect(error.message.contains(bastion.hostKeyFingerprint))
        }

        /// Five hosts behind the bastion at once, bulk data both ways: they share one bastion connection (one
        /// login in the bastion's log), each in its own tunnel.
        @Test func severalHostsShareOneBastionConnection() async throws {
            let cluster = try Fixture.cluster()
            let bastion = try #require(cluster.bastion)
            let dir = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try randomFile(dir + "/payload", bytes: 4 * 1024 * 1024, mode: 0o600)
            let digest = try sha256sum(dir + "/payload")
            let loginsBefore = bastion.log().components(separatedBy: "Accepted publickey").count
            let outputs = try await withThrowingTaskGroup(of: String.self) { group in
                for host in cluster.hosts.prefix(5) {
                    var endpoint = Fixture.endpoint(host, in: cluster)
                    endpoint.jump = [Fixture.endpoint(bastion, in: cluster)]
                    group.addTask { [endpoint] in
                        let connection = try await SSHConnection.connect(endpoint, options: Fixture.options)
                        let result = try await connection.execute("head -c 3000000 /dev/zero | wc -c")
                        let upload = try await connection.upload(
                            from: dir + "/payload", to: host.rootDirectory + "/p",
                            timeout: .seconds(60))
                        await connection.close()
                        return upload.sha256 == digest ? result.stdoutText : "digest differs"
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outputs == Array(repeating: "3000000\n", count: 5))
            let loginsAfter = bastion.log().components(separatedBy: "Accepted publickey").count
            #expect(loginsAfter - loginsBefore == 1)
        }
    }
}
