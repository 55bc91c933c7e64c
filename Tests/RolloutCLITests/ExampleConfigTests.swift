import Foundation
import RolloutTestSupport
import Testing

/// Every example playbook in `playbooks/` names the inventory it goes with in a line
/// `# Validate with: rollout check --inventory NAME --playbook NAME`; `rollout check` must accept each pair.
@Suite struct ExampleConfigTests {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let playbooks: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: packageRoot + "/playbooks")) ?? [])
        .filter { $0.hasSuffix(".yml") }.sorted()

    /// The `rollout check` arguments a playbook's header names.
    static func pair(_ playbook: String) throws -> [String] {
        let text = try String(contentsOfFile: "\(packageRoot)/playbooks/\(playbook)", encoding: .utf8)
        let marker = "# Validate with: rollout "
        let line = try #require(
            text.split(separator: "\n").first { $0.hasPrefix(marker) }, "\(playbook) names no inventory")
        return line.dropFirst(marker.count).split(separator: " ").map(String.init)
    }

    /// A project directory holding copies of `inventories/`, `playbooks/` and each playbook's artifact (a file
    /// under `build/`, which the repository does not hold); removed by the caller.
    static func makeProject() throws -> String {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("rollout-examples-\(UUID().uuidString)").path
        try fm.createDirectory(atPath: dir + "/build", withIntermediateDirectories: true)
        for sub in ["inventories", "playbooks"] {
            try fm.copyItem(atPath: "\(packageRoot)/\(sub)", toPath: "\(dir)/\(sub)")
        }
        for playbook in playbooks {
            let text = try String(contentsOfFile: "\(dir)/playbooks/\(playbook)", encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                if words.count >= 2, words[0] == "path:", words[1].hasPrefix("build/") {
                    try "release\n".write(toFile: "\(dir)/\(words[1])", atomically: true, encoding: .utf8)
                }
            }
        }
        return dir
    }

    @Test func everyExampleHasAPair() throws {
        #expect(Self.playbooks.count >= 4)
        #expect(Self.playbooks.contains("production.yml") && Self.playbooks.contains("lab.yml"))
        #expect(try Self.pair("production.yml") == ["check", "--inventory", "production", "--playbook", "production"])
    }

    @Test(arguments: playbooks)
    func checkAcceptsTheExamplePair(playbook: String) throws {
        let dir = try Self.makeProject()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try runCommand(
            try BuiltProducts.executable("rollout"), try Self.pair(playbook), environment: ["PATH": "/usr/bin:/bin"],
            currentDirectory: dir, timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("ok: "))
        #expect(result.stderr.isEmpty)
    }

    @Test func theProductionPlanCanariesRampsAndKeepsTheBudget() throws {
        let dir = try Self.makeProject()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try runCommand(
            try BuiltProducts.executable("rollout"),
            ["plan", "-i", "production", "-p", "production", "--version", "2.4.0", "-o", "json"],
            environment: ["PATH": "/usr/bin:/bin"], currentDirectory: dir, timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stderr)")
        let plan = try json(result)
        let batches = try #require(plan["batches"] as? [[String: Any]])
        // 12 web hosts: the 2 canaries, then 1, 2, and 25% of 12 = 3 at a time (max_unavailable 3).
        #expect(batches.map { ($0["hosts"] as? [Any])?.count ?? 0 } == [2, 1, 2, 3, 3, 1])
        #expect(batches.first?["kind"] as? String == "canary")
        let budget = try #require(plan["failure_budget"] as? [String: Any])
        #expect(budget["absolute"] as? Int == 1)
    }
}
