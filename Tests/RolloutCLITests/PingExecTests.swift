import Foundation
import RolloutTestSupport
import Testing

@Suite("rollout ping and exec against real sshd hosts")
struct PingExecTests {
    @Test("ping reaches 10 hosts in parallel and reports each one's system")
    func pingTenHosts() throws {
        let fixture = try ClusterFixture(hosts: 10)
        defer { fixture.stop() }

        let text = try rollout("ping", "--inventory", fixture.inventory)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("10/10 hosts answered"))

        let result = try rollout("ping", "--inventory", fixture.inventory, "--output", "json")
        #expect(result.status == 0)
        let hosts = try hostsByName(try json(result))
        #expect(hosts.count == 10)
        for (name, host) in hosts {
            #expect(host["ok"] as? Bool == true, "\(name): \(host)")
            #expect((host["system"] as? String)?.hasPrefix("Linux") == true)
            #expect(host["port"] as? Int == fixture.cluster.hosts.first { $0.name == name }?.port)
        }
    }

    @Test("exec streams every host's lines with its name and exits 0 when all succeed")
    func execTenHosts() throws {
        let fixture = try ClusterFixture(hosts: 10)
        defer { fixture.stop() }

        let result = try rollout("exec", "--inventory", fixture.inventory, "--",
                                 "echo out-line; echo err-line >&2; echo port=${SSH_CONNECTION##* }")
        #expect(result.status == 0, "\(result.stderr)")
        for host in fixture.cluster.hosts {
            let prefix = host.name.padding(toLength: 3, withPad: " ", startingAt: 0)
            #expect(result.stdout.contains("\(prefix) | out-line"))
            #expect(result.stdout.contains("\(prefix) | port=\(host.port)"), "each host runs on its own sshd")
            #expect(result.stderr.contains("\(prefix) | err-line"), "remote stderr goes to stderr")
        }
        #expect(result.stdout.contains("10/10 hosts succeeded"))
    }

    @Test("a command failing on one host exits 1 and names the host and its exit status")
    func execFailureOnOneHost() throws {
        let fixture = try ClusterFixture(hosts: 3)
        defer { fixture.stop() }
        let failing = fixture.cluster.hosts[1]

        let result = try rollout("exec", "--inventory", fixture.inventory, "--output", "json", "--",
                                 "[ \"${SSH_CONNECTION##* }\" != \(failing.port) ] || exit 3")
        #expect(result.status == 1)
        let hosts = try hostsByName(try json(result))
        #expect(hosts[failing.name]?["exit_status"] as? Int == 3)
        #expect(hosts[failing.name]?["ok"] as? Bool == false)
        for host in fixture.cluster.hosts where host.name != failing.name {
            #expect(hosts[host.name]?["exit_status"] as? Int == 0)
        }
        let summary = try #require(try json(result)["summary"] as? [String: Int])
        #expect(summary == ["total": 3, "ok": 2, "failed": 1, "unreachable": 0])
    }

    @Test("a command killed by a signal is reported with the signal's name")
    func execSignal() throws {
        let fixture = try ClusterFixture(hosts: 1)
        defer { fixture.stop() }
        let result = try rollout("exec", "--inventory", fixture.inventory, "--output", "json", "--", "kill -KILL $$")
        #expect(result.status == 1)
        let host = try #require(try hostsByName(try json(result))["h1"])
        #expect(host["exit_signal"] as? String == "KILL")
    }

    @Test("exec --timeout stops a command that runs too long and reports the timeout")
    func execTimeout() throws {
        let fixture = try ClusterFixture(hosts: 2)
        defer { fixture.stop() }
        let result = try rollout("exec", "--inventory", fixture.inventory, "--timeout", "1s", "--output", "json",
                                 "--", "sleep 30")
        #expect(result.status == 1)
        for (_, host) in try hostsByName(try json(result)) {
            let error = try #require(host["error"] as? [String: Any])
            #expect(error["code"] as? String == "command-timeout")
        }
    }

    @Test("a host whose sshd is stopped fails within the connect timeout; the others answer")
    func stoppedHost() throws {
        let fixture = try ClusterFixture(hosts: 4)
        defer { fixture.stop() }
        let frozen = fixture.cluster.hosts[2]
        try fixture.cluster.pause(frozen.name)
        defer { try? fixture.cluster.resume(frozen.name) }

        let result = try rollout("ping", "--inventory", fixture.inventory, "--connect-timeout", "8s",
                                 "--output", "json")
        #expect(result.status == 3, "an unreachable host exits 3")
        let hosts = try hostsByName(try json(result))
        let error = try #require(hosts[frozen.name]?["error"] as? [String: Any])
        #expect(error["kind"] as? String == "unreachable")
        #expect(error["code"] as? String == "connect-timeout")
        for host in fixture.cluster.hosts where host.name != frozen.name {
            #expect(hosts[host.name]?["ok"] as? Bool == true)
        }
    }

    @Test("--limit selects hosts by name, group and glob, and a pattern matching nothing is a usage error")
    func limit() throws {
        let fixture = try ClusterFixture(hosts: 4)
        defer { fixture.stop() }

        let some = try rollout("ping", "--inventory", fixture.inventory, "--limit", "h1,h3", "--output", "json")
        #expect(some.status == 0)
        #expect(Set(try hostsByName(try json(some)).keys) == ["h1", "h3"])

        let glob = try rollout("ping", "--inventory", fixture.inventory, "--limit", "h*,!h2", "--output", "json")
        #expect(Set(try hostsByName(try json(glob)).keys) == ["h1", "h3", "h4"])

        let none = try rollout("ping", "--inventory", fixture.inventory, "--limit", "db*")
        #expect(none.status == 2)
        #expect(none.stderr.contains("db*"))
    }
}
