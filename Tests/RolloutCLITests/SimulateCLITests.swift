import Foundation
import RolloutTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `rollout deploy --simulate`: the real CLI, engine, journal and lock over simulated hosts.
@Suite(.serialized) struct SimulateCLITests {
    let project: String

    init() throws {
        project = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-sim-\(UUID().uuidString)").path
        for directory in ["playbooks", "inventories", "artifact"] {
            try FileManager.default.createDirectory(
                atPath: "\(project)/\(directory)", withIntermediateDirectories: true)
        }
        try "release bytes\n".write(toFile: "\(project)/artifact/app", atomically: true, encoding: .utf8)
    }

    func playbook(_ name: String, window: Int, maxFailures: String, rollback: String, healthURL: String) throws {
        let text = """
            service: {name: web, root: "{{ root }}/web", agent: /opt/rollout-agent}
            artifact: {path: artifact/app}
            hosts: all
            strategy: hot
            window: \(window)
            max_failures: \(maxFailures)
            rollback: \(rollback)
            health:
              - {type: http, url: "\(healthURL)", version_header: X-Version, interval: 100ms, timeout: 1s, deadline: 2s}

            """
        try text.write(toFile: "\(project)/playbooks/\(name).yml", atomically: true, encoding: .utf8)
    }

    func rollout(_ arguments: [String]) throws -> CommandOutput {
        try runCommand(
            BuiltProducts.executable("rollout"), arguments, currentDirectory: project, timeout: .seconds(300))
    }

    func show(_ id: Int) throws -> [String: Any] {
        let output = try rollout(["show", String(id), "--output", "json"])
        #expect(output.status == 0, "\(output.stderr)")
        return try json(output)
    }

    func hostStatuses(_ report: [String: Any]) throws -> [String: String] {
        try hostsByName(report).mapValues { $0["status"] as? String ?? "?" }
    }

    @Test("500 simulated hosts: every step journaled and closed, injected failures within the budget, seeded")
    func fiveHundredHosts() throws {
        try playbook(
            "sim", window: 50, maxFailures: "\"5%\"", rollback: "host",
            healthURL: "http://{{ host.address }}:8080/health")
        let spec = "hosts=500,latency=0ms..2ms,failure-rate=2%,seed=11"
        let first = try rollout([
            "deploy", "--simulate", spec, "--inventory", "sim", "--playbook", "sim", "--version", "v2",
        ])
        // Failures within the budget leave the fleet partial: exit 4 (README, exit codes).
        #expect(first.status == 4, "\(first.stdout.suffix(2000))\n\(first.stderr)")
        #expect(first.stderr.contains("simulation: 500 hosts"))
        let report = try show(1)
        #expect(report["status"] as? String == "partial")
        #expect((report["strategy"] as? String)?.hasPrefix("SIMULATED") == true)
        let events = try #require(report["events"] as? [[String: Any]])
        #expect(events.contains { ($0["kind"] as? String) == "simulation" })
        let hosts = try hostsByName(report)
        #expect(hosts.count == 500)
        let statuses = hosts.mapValues { $0["status"] as? String ?? "?" }
        let failed = statuses.filter { $0.value == "failed" || $0.value == "rolled_back" }
        #expect((3...25).contains(failed.count), "about 2% of 500 fail, at most 5% allowed: \(failed.count)")
        #expect(statuses.filter { $0.value == "succeeded" }.count == 500 - failed.count)
        for (name, host) in hosts {
            let phases = try #require(host["phases"] as? [[String: Any]])
            // Write-ahead and closed after: no phase is left running.
            #expect(phases.allSatisfy { ($0["status"] as? String) != "running" }, "\(name)")
            if statuses[name] == "succeeded" {
                #expect(
                    phases.map { $0["name"] as? String ?? "" } == [
                        "prepare", "upload", "switch", "restart", "verify", "cleanup",
                    ])
                #expect(phases.allSatisfy { ($0["status"] as? String) == "ok" })
            }
            if statuses[name] == "rolled_back" {
                #expect(phases.contains { ($0["name"] as? String) == "rollback" && ($0["status"] as? String) == "ok" })
            }
        }
        // The same seed fails the same hosts; another seed fails others.
        let again = try rollout([
            "deploy", "--simulate", spec, "--inventory", "sim", "--playbook", "sim", "--version", "v2",
        ])
        #expect(again.status == 4)
        #expect(try hostStatuses(show(2)) == statuses)
        let other = try rollout([
            "deploy", "--simulate", "hosts=500,latency=0ms..2ms,failure-rate=2%,seed=12", "--inventory", "sim",
            "--playbook", "sim", "--version", "v2",
        ])
        #expect([1, 4].contains(other.status))
        #expect(try hostStatuses(show(3)) != statuses)
    }

    @Test("failures over the budget stop the rollout and, with rollback: all, revert every moved host")
    func budgetExceeded() throws {
        try playbook(
            "tight", window: 10, maxFailures: "1", rollback: "all", healthURL: "http://{{ host.address }}/health")
        let result = try rollout([
            "deploy", "--simulate", "hosts=300,latency=1ms,failure-rate=25%,seed=5", "--inventory", "tight",
            "--playbook", "tight", "--version", "v2",
        ])
        #expect(result.status == 1, "rolled back: \(result.stdout.suffix(1500))\n\(result.stderr)")
        let report = try show(1)
        #expect(report["status"] as? String == "rolled_back")
        let statuses = try hostStatuses(report)
        #expect(!statuses.values.contains("succeeded"), "every host moved to v2 was reverted")
        #expect(statuses.values.filter { $0 == "skipped" }.count > 200, "no new host after the budget ran out")
        #expect(statuses.values.filter { $0 == "failed" || $0 == "rolled_back" }.count >= 2)
    }

    @Test("unreachable simulated hosts fail after the connect timeout and count against the budget")
    func unreachableHosts() throws {
        try playbook(
            "silent", window: 50, maxFailures: "\"10%\"", rollback: "host",
            healthURL: "http://{{ host.address }}:8080/health")
        let result = try rollout([
            "deploy", "--simulate", "hosts=200,latency=1ms,unreachable=3%,seed=4", "--connect-timeout", "1s",
            "--inventory", "silent", "--playbook", "silent", "--version", "v2",
        ])
        #expect(result.status == 4, "partial: \(result.stdout.suffix(1500))\n\(result.stderr)")
        let reported = try #require(
            result.stderr.split(separator: "\n").first { $0.hasPrefix("simulation:") }.flatMap { line in
                line.split(separator: ",").first { $0.hasSuffix(" unreachable") }
            })
        let count = try #require(Int(reported.split(separator: " ").first ?? ""))
        #expect((1...15).contains(count), "about 3% of 200: \(count)")
        let hosts = try hostsByName(show(1))
        let silent = hosts.filter { ($0.value["error"] as? String ?? "").contains("did not answer within the 1") }
        #expect(silent.count == count, "each unreachable host is failed with the connect timeout's error")
        #expect(silent.values.allSatisfy { $0["status"] as? String == "failed" })
        #expect(hosts.values.filter { $0["status"] as? String == "succeeded" }.count == 200 - count)
    }

    @Test("a simulation never opens a connection: hosts and health URLs aimed at a listening port see nothing")
    func noNetwork() throws {
        // A listener the inventory's SSH ports and the health URL all point to: any SSH connect or HTTP probe would
        // complete a TCP handshake into its accept queue.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(listener, $0, size) == 0, listen(listener, 128) == 0,
                    getsockname(listener, $0, &size) == 0
                else { throw TestSupportError("cannot listen on 127.0.0.1: errno \(errno)") }
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        var inventory = "all:\n  hosts:\n"
        for index in 1...20 {
            inventory += "    web\(index): {address: 127.0.0.1, port: \(port), root: /srv/w\(index)}\n"
        }
        try inventory.write(toFile: "\(project)/inventories/local.yml", atomically: true, encoding: .utf8)
        try playbook(
            "local", window: 5, maxFailures: "0", rollback: "host", healthURL: "http://127.0.0.1:\(port)/health")

        let simulated = try rollout([
            "deploy", "--simulate", "latency=1ms", "--inventory", "local", "--playbook", "local", "--version", "v2",
        ])
        #expect(simulated.status == 0, "\(simulated.stdout.suffix(1500))\n\(simulated.stderr)")
        #expect(try hostStatuses(show(1)).values.allSatisfy { $0 == "succeeded" })
        _ = fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK)
        let queued = accept(listener, nil, nil)
        if queued >= 0 { close(queued) }
        #expect(queued < 0 && errno == EAGAIN, "a connection reached the listener")

        // `hosts=` generates an inventory; it never shadows an existing one.
        let shadow = try rollout([
            "deploy", "--simulate", "hosts=5", "--inventory", "local", "--playbook", "local", "--version", "v3",
        ])
        #expect(shadow.status == 2 && shadow.stderr.contains("existing inventory"))
    }

    @Test("a bad --simulate value exits 2 naming the key, before anything is journaled")
    func badSpec() throws {
        try playbook("sim", window: 5, maxFailures: "0", rollback: "host", healthURL: "http://x/health")
        for (spec, key) in [
            ("hosts=5,latency=fast", "latency"), ("hosts=5,failure=1%", "failure"), ("hosts=-1", "hosts"),
        ] {
            let result = try rollout(["deploy", "--simulate", spec, "--inventory", "sim", "--playbook", "sim"])
            #expect(result.status == 2, "\(spec): \(result.stderr)")
            #expect(result.stderr.contains("--simulate: key `\(key)`"), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(project)/.rollout/state.db"))
    }
}
