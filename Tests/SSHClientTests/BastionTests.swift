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

        /// While the bastion waits for a forward that hangs (its target's accept queue is full, so the kernel drops
        /// the SYNs), traffic of the other hosts behind the same bastion connection keeps flowing.
        @Test func aHangingForwardDoesNotStallOtherHosts() async throws {
            let cluster = try Fixture.cluster()
            let bastion = try #require(cluster.bastion)
            let jump = [Fixture.endpoint(bastion, in: cluster)]
            var endpoint = Fixture.endpoint(try cluster.host("h2"), in: cluster)
            endpoint.jump = jump
            let connection = try await SSHConnection.connect(endpoint, options: Fixture.options)
            let blackhole = try FullListener()
            defer { blackhole.close() }
            var hanging = SSHEndpoint(address: "127.0.0.1", port: blackhole.port, user: cluster.user)
            hanging.jump = jump

            let events = EventLog()
            let options = SSHOptions(connectTimeout: .seconds(6), useAgent: false)
            let stalled = Task {
                let error = try await Fixture.expectSSHError {
                    _ = try await SSHConnection.connect(hanging, options: options)
                }
                events.append("forward failed")
                return error
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while !bastion.log().contains("target 127.0.0.1 port \(blackhole.port)") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await connection.execute("echo flowing").stdoutText == "flowing\n")
            events.append("other host answered")
            let error = try await stalled.value
            #expect(error.code == .connectTimeout)
            #expect(events.entries == ["other host answered", "forward failed"])
            await connection.close()
        }
    }
}

/// A listener on 127.0.0.1 whose accept queue is full: connects to it hang in SYN-SENT.
final class FullListener: @unchecked Sendable {
    let port: Int
    private var fds: [Int32] = []

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 0) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        fds.append(listener)
        guard bound else { throw TestSupportError("cannot set up a listener: errno \(errno)") }
        port = Int(UInt16(bigEndian: address.sin_port))
        // Fill the queue (never accepted); non-blocking, since the last of these may itself hang.
        for _ in 0..<3 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) }
            }
            fds.append(filler)
        }
        Thread.sleep(forTimeInterval: 0.1)
    }

    func close() {
        for fd in fds { Glibc.close(fd) }
        fds = []
    }
}

/// An ordered record of what happened, appended from several tasks.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ entry: String) { lock.withLock { list.append(entry) } }
    var entries: [String] { lock.withLock { list } }
}
