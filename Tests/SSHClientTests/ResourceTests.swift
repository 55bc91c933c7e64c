import Foundation
import RolloutTestSupport
import SSHClient
import Testing

extension SSHClientTests {
    @Suite struct Resources {
        /// Connections that are closed and released give back their sockets (also the bastion's tunnels),
        /// including connections that failed half-way; open or not, they hold no thread between jobs, except the
        /// bastion's, which polls the tunnels it carries.
        @Test func releasedConnectionsLeaveNoThreadsOrSockets() async throws {
            let cluster = try Fixture.cluster()
            let bastion = try #require(cluster.bastion)
            let ports = Set((cluster.hosts + [bastion]).map(\.port))
            var connections = try await withThrowingTaskGroup(of: SSHConnection.self) { group in
                for host in cluster.hosts {
                    var endpoint = Fixture.endpoint(host, in: cluster)
                    if host.name == "h1" || host.name == "h2" {
                        endpoint.jump = [Fixture.endpoint(bastion, in: cluster)]
                    }
                    group.addTask { [endpoint] in
                        let connection = try await SSHConnection.connect(endpoint, options: Fixture.options)
                        _ = try await connection.execute("true")
                        _ = try await connection.upload(from: "/etc/hostname", to: host.rootDirectory + "/hostname")
                        return connection
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // The measurement sees them while they are open: 10 hosts plus the one bastion connection h1 and h2
            // share; h1 and h2 themselves have socketpairs, not TCP sockets. A pool thread may still be
            // finishing a job's return when the task group ends: wait for the threads to go idle.
            let idle = ContinuousClock.now + .seconds(10)
            while sshThreads().count > 1 && ContinuousClock.now < idle {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(sshThreads().count == 1)
            #expect(openSockets(toPorts: ports) == 9)
            for connection in connections {
                #expect(try await connection.execute("echo ok").stdoutText == "ok\n")
            }
            let neverClosed = try cluster.host("h3").port
            for connection in connections where connection.endpoint.port != neverClosed { await connection.close() }
            // One connection is only released, never closed: its deinit must clean up as well.
            connections.removeAll()
            let failing = Fixture.endpoint(try cluster.host("h4"), in: cluster, user: "rollout-no-such-user")
            _ = try? await SSHConnection.connect(failing, options: Fixture.options)
            // Teardown runs on a pool thread right after release; give it a moment.
            let deadline = ContinuousClock.now + .seconds(10)
            while (!sshThreads().isEmpty || openSockets(toPorts: ports) > 0) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(sshThreads().isEmpty)
            #expect(openSockets(toPorts: ports) == 0)
        }
    }
}

/// Names of this process's SSH threads that serve a connection (named `ssh <host>:<port>` while they run its
/// jobs, cut to 15 characters by the kernel; `ssh idle` when parked in the pool).
func sshThreads() -> [String] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
        .filter { $0.hasPrefix("ssh 127.0.0.1") }
}

/// How many of this process's TCP sockets are connected to one of `ports` on 127.0.0.1.
func openSockets(toPorts ports: Set<Int>) -> Int {
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    let inodes = Set(
        fds.compactMap { fd -> String? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"),
                target.hasPrefix("socket:[")
            else { return nil }
            return String(target.dropFirst(8).dropLast())
        })
    // Read to the end: proc files report size 0, and a single read returns only the first page.
    let table =
        FileHandle(forReadingAtPath: "/proc/self/net/tcp").map {
            String(decoding: $0.readDataToEndOfFile(), as: UTF8.self)
        } ?? ""
    return table.split(separator: "\n").dropFirst().filter { line in
        let fields = line.split(separator: " ")
        guard fields.count > 9, let port = Int(fields[2].split(separator: ":").last ?? "", radix: 16) else {
            return false
        }
        return ports.contains(port) && inodes.contains(String(fields[9]))
    }.count
}
