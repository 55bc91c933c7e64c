import Foundation
import RolloutTestSupport
import Testing

/// `rollout plan` and `rollout check`, run as the built executable in a throw-away project directory holding
/// the committed example inventory and playbooks and a fixed artifact.
@Suite struct PlanCommandTests {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A project directory with `inventories/`, `playbooks/` and `build/web`; removed by the caller.
    private func makeProject(extraPlaybooks: [String: String] = [:]) throws -> String {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("rollout-plan-\(UUID().uuidString)").path
        for sub in ["inventories", "playbooks", "build"] {
            try fm.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true)
        }
        try fm.copyItem(atPath: "\(Self.packageRoot)/inventories/example.yml", toPath: "\(dir)/inventories/example.yml")
        for name in ["web.yml", "web-drain.yml"] {
            try fm.copyItem(atPath: "\(Self.packageRoot)/playbooks/\(name)", toPath: "\(dir)/playbooks/\(name)")
        }
        for (name, text) in extraPlaybooks {
            try text.write(toFile: "\(dir)/playbooks/\(name)", atomically: true, encoding: .utf8)
        }
        try "web release\n".write(toFile: "\(dir)/build/web", atomically: true, encoding: .utf8)
        return dir
    }

    private func rollout(_ arguments: [String], in dir: String) throws -> CommandOutput {
        try runCommand(
            try BuiltProducts.executable("rollout"), arguments, environment: ["PATH": "/usr/bin:/bin"],
            currentDirectory: dir, timeout: .seconds(60))
    }

    /// Regenerate after an intended change with
    /// `rollout plan -i example -p web -o json > Tests/Golden/plan-web.json` in a project made like `makeProject`.
    @Test func planJSONOverTheExampleInventoryMatchesTheGoldenFile() throws {
        let dir = try makeProject()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try rollout(["plan", "--inventory", "example", "--playbook", "web", "--output", "json"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let golden = try String(contentsOfFile: "\(Self.packageRoot)/Tests/Golden/plan-web.json", encoding: .utf8)
        #expect(result.stdout == golden)
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(parsed?["schema"] as? String == "rollout.plan/1")
    }

    @Test func planTextShowsBatchesBudgetAndCommands() throws {
        let dir = try makeProject()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try rollout(
            ["plan", "-i", "example", "-p", "web-drain", "--limit", "web_eu", "--version", "2.0.1"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Rollout plan: web 2.0.1 (version from cli)"))
        #expect(
            result.stdout.contains("Batch 1 (canary, 1 at once, bake 1m, then wait for promote):\n  web-eu-1 [drain]"))
        #expect(result.stdout.contains("Batch 2 (window, 2 at once):\n  web-eu-2 [drain], web-eu-3 [drain]"))
        #expect(result.stdout.contains("max_failures 1 of 3 = 1"))
        #expect(
            result.stdout.contains(
                "[on lb1] $ relay to /run/haproxy/admin.sock <<< 'set server web_servers/web-eu-2 state drain'"))
        #expect(result.stdout.contains("relay = [on lb1] $ /bin/sh -c 'if command -v socat >/dev/null 2>&1; then "))
        #expect(
            result.stdout.contains(
                "at the deadline with connections left: fail (the host is restored unchanged; on_drain_timeout: fail)"))
        #expect(result.stdout.contains("gateway haproxy: re-check the drain"))
        #expect(!result.stdout.contains("web-us-1"))

        // The JSON plan: the same calls, each with the exact command line and what it sends.
        let plan = try JSONSerialization.jsonObject(
            with: Data(
                try rollout(
                    ["plan", "-i", "example", "-p", "web-drain", "--limit", "web-eu-2", "--version", "2.0.1", "--output",
                        "json"], in: dir
                ).stdout.utf8)) as? [String: Any]
        let host = try #require((plan?["hosts"] as? [[String: Any]])?.first)
        let steps = try #require(host["steps"] as? [[String: Any]])
        let drain = try #require(steps.first { $0["phase"] as? String == "drain" }?["actions"] as? [[String: Any]])
        #expect(drain.first?["type"] as? String == "gateway")
        #expect(drain.first?["operation"] as? String == "drain")
        let first = try #require((drain.first?["calls"] as? [[String: Any]])?.first)
        #expect(first["send"] as? String == "set server web_servers/web-eu-2 state drain")
        #expect(first["relay_to"] as? String == "/run/haproxy/admin.sock")
        #expect(((first["command"] as? [String: Any])?["argv"] as? [String])?.first == "/bin/sh")
        #expect(drain.last?["type"] as? String == "wait_drained")
        #expect(drain.last?["on_timeout"] as? String == "fail")
        #expect((drain.last?["status"] as? [[String: Any]])?.count == 2)
    }

    @Test func checkAcceptsTheExamples() throws {
        let dir = try makeProject()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for playbook in ["web", "web-drain"] {
            let result = try rollout(["check", "--inventory", "example", "--playbook", playbook], in: dir)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                result.stdout.hasPrefix("ok: inventories/example.yml and playbooks/\(playbook).yml are valid (6 hosts"))
        }
    }

    @Test func checkReportsEveryProblemWithFileLineAndKeyAndExitsWithTheInvalidInputCode() throws {
        let bad = """
            service: {name: web, root: /srv/web}
            artifact: {path: build/web}
            hosts: web
            strategy: hot
            canary: {hosts: 1, bake: 5}
            health:
              - type: http
                url: "http://{{ host.address }}:{{ service_prot }}/"
            overrides:
              web_uss: {strategy: hot}
            """
        let dir = try makeProject(extraPlaybooks: ["bad.yml": bad])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try rollout(["check", "-i", "example", "-p", "bad"], in: dir)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        let expected = [
            "error: playbooks/bad.yml:5:26: key `canary.bake`: expected a duration such as `30s`, `5m` or `1h30m`, "
                + "found an integer; did you mean `5s`?",
            "error: playbooks/bad.yml:10:3: key `overrides.web_uss`: override pattern `web_uss` matches no host or "
                + "group in inventories/example.yml; did you mean `web_us`?",
            "error: playbooks/bad.yml:8:10: key `health[0].url`: undefined variable `service_prot` for host "
                + "web-eu-1, web-eu-2, web-eu-3 and 3 more; did you mean `service_port`?",
            "3 problems found; no host was touched",
        ]
        #expect(result.stderr.split(separator: "\n").map(String.init) == expected)
    }

    @Test func usageErrorsAndLimitsMatchingNothing() throws {
        let dir = try makeProject()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = try rollout(["plan", "--playbook", "web"], in: dir)
        #expect(missing.status == 2, "usage errors are invalid input too")
        let nothing = try rollout(["plan", "-i", "example", "-p", "web", "--limit", "db*"], in: dir)
        #expect(nothing.status == 2)
        #expect(nothing.stderr.contains("key `db*`: --limit pattern matches no host or group in this inventory"))
        let noDefault = try rollout(["plan", "-i", "example"], in: dir)
        #expect(noDefault.status == 2)
        #expect(
            noDefault.stderr.contains(
                "several playbooks (web, web-drain) and no playbooks/default.yml: pass --playbook"))
    }
}
