import Foundation
import RolloutTestSupport
import Testing

/// Failures during a rollout: bad input, an unreachable host, a health check that never passes, a slow host in
/// window mode.
@Suite("rollout deploy: failures", .serialized)
struct DeployFailureTests {
    @Test("invalid playbooks exit 2 and no command reaches any host")
    func invalidInputTouchesNothing() throws {
        let fixture = try DeployFixture(hosts: 2)
        defer { fixture.stop() }
        try fixture.stageDemoService()
        let malformed = [
            "serial: 1\nseriall: 2\n",  // unknown key
            "serial: 1\nmax_failures: lots\n",  // wrong type
            "serial: 1\nhealth:\n  - type: http\n    url: \"http://{{ nowhere }}/\"\n",  // undefined variable
            "serial: [1\n",  // YAML syntax
        ]
        for (index, extra) in malformed.enumerated() {
            try DeployFixture.playbook(extra: extra, successes: 1).write(
                toFile: "\(fixture.project)/playbooks/bad\(index).yml", atomically: true, encoding: .utf8)
        }
        let logs = fixture.cluster.hosts.map { $0.log() }
        for index in malformed.indices {
            // `agent install` reads the playbook but not the health checks (index 2 is only a planning error).
            let commands =
                [["deploy", "--version", "v1"], ["rollback", "--to", "v1"]]
                + (index == 2 ? [] : [["agent", "install"]])
            for command in commands {
                let result = try fixture.rollout(command + ["--inventory", "lab", "--playbook", "bad\(index)"])
                #expect(result.status == 2, "\(command) bad\(index): \(result.stdout)\(result.stderr)")
                #expect(result.stderr.contains("playbooks/bad\(index).yml"), "\(result.stderr)")
            }
        }
        #expect(fixture.cluster.hosts.map { $0.log() } == logs, "no host was contacted")
        if FileManager.default.fileExists(atPath: fixture.state) {
            let history = try fixture.rollout(["history"])
            #expect(history.stdout.contains("No rollouts"), "no rollout was journaled: \(history.stdout)")
        }
    }

    @Test("an unreachable host fails alone within the budget; the others are upgraded; exit 4 (partial)")
    func unreachableHost() throws {
        let fixture = try DeployFixture(hosts: 3, playbookExtra: "serial: 1\nmax_failures: 1")
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        #expect(try fixture.deploy("v1").status == 0)
        try fixture.cluster.stop("h2")
        let result = try fixture.deploy("v2")
        #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
        let detail = try json(try fixture.rollout(["show", "2", "--output", "json"]))
        #expect(detail["status"] as? String == "partial")
        let hosts = try hostsByName(detail)
        #expect(hosts["h1"]?["status"] as? String == "succeeded")
        #expect(hosts["h3"]?["status"] as? String == "succeeded")
        #expect(hosts["h2"]?["status"] as? String == "failed")
        #expect((hosts["h2"]?["error"] as? String)?.contains("unreachable") == true, "\(hosts["h2"] ?? [:])")
        let served = fixture.servedVersions()
        #expect(served["h1"] == "v2" && served["h3"] == "v2" && served["h2"] == "v1", "\(served)")
    }

    @Test("a health check that never passes fails at its deadline and the host is rolled back (exit 1)")
    func healthNeverPasses() throws {
        // The extra check passes only for releases whose name does not start with `bad`; `| raw`: the variable
        // holds shell code (a value is otherwise one quoted word).
        let extra = """
            serial: 1
            vars: {check: "readlink {{ root }}/srv/current | grep -qv releases/bad"}
            """
        let fixture = try DeployFixture(hosts: 2, playbookExtra: extra)
        defer { fixture.stop() }
        var playbook = try String(contentsOfFile: "\(fixture.project)/playbooks/demo.yml", encoding: .utf8)
        playbook = playbook.replacingOccurrences(
            of: "timeouts:",
            with: "  - type: command\n    run: \"{{ check | raw }}\"\n    interval: 200ms\n    deadline: 2s\ntimeouts:")
        try playbook.write(toFile: "\(fixture.project)/playbooks/demo.yml", atomically: true, encoding: .utf8)
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        #expect(try fixture.deploy("v1").status == 0)
        let result = try fixture.deploy("bad1")
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let hosts = try hostsByName(try json(try fixture.rollout(["show", "2", "--output", "json"])))
        #expect(hosts["h1"]?["status"] as? String == "rolled_back")
        #expect((hosts["h1"]?["error"] as? String)?.contains("health-failed") == true, "\(hosts["h1"] ?? [:])")
        #expect(hosts["h2"]?["status"] as? String == "skipped")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" })
    }

    @Test("window mode: a slow host does not hold the others back")
    func windowWithSlowHost() throws {
        let extra = """
            window: 2
            vars: {slow: 0}
            overrides:
              h1:
                vars: {slow: 12}
            """
        let fixture = try DeployFixture(hosts: 3, playbookExtra: extra)
        defer { fixture.stop() }
        var playbook = try String(contentsOfFile: "\(fixture.project)/playbooks/demo.yml", encoding: .utf8)
        playbook = playbook.replacingOccurrences(
            of: "timeouts:",
            with: "  - type: command\n    run: \"sleep {{ slow }}\"\n    timeout: 30s\n    deadline: 40s\ntimeouts:")
        try playbook.write(toFile: "\(fixture.project)/playbooks/demo.yml", atomically: true, encoding: .utf8)
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        let result = try fixture.deploy("v1", ["--output", "json"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let finished = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["event"] as? String == "host_finished" }.compactMap { $0["host"] as? String }
        #expect(finished == ["h2", "h3", "h1"], "h3 started when h2 finished, while h1 was still verifying")
    }

    @Test("a failing before_rollout hook stops the rollout before any host (exit 1, aborted); after_rollout runs last")
    func rolloutHooks() throws {
        let directory = NSTemporaryDirectory() + "hooks-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let extra = """
            serial: 1
            hooks:
              before_rollout: "test -e \(directory)/allow"
              after_rollout: "echo {{ version }} > \(directory)/after"
            """
        let fixture = try DeployFixture(hosts: 2, playbookExtra: extra)
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        let refused = try fixture.deploy("v1")
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        let detail = try json(try fixture.rollout(["show", "1", "--output", "json"]))
        #expect(detail["status"] as? String == "aborted")
        #expect((detail["error"] as? String)?.contains("before_rollout") == true, "\(detail["error"] ?? "")")
        #expect(try hostsByName(detail).values.allSatisfy { $0["status"] as? String == "skipped" })
        #expect(!FileManager.default.fileExists(atPath: fixture.cluster.hosts[0].rootDirectory + "/srv/current"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/after"))

        #expect(FileManager.default.createFile(atPath: directory + "/allow", contents: nil))
        let allowed = try fixture.deploy("v1")
        #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
        #expect(try String(contentsOfFile: directory + "/after", encoding: .utf8) == "v1\n")
    }
}
