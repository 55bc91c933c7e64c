import Foundation
import RolloutTestSupport
import Testing

/// `rollout check --output json`: the `rollout.check/1` document, for valid and invalid configurations.
@Suite struct CheckCommandTests {
    static let corpus = MalformedCorpusTests.corpus
    static let fields: Set<String> = [
        "code", "file", "line", "column", "key", "message", "found", "allowed", "suggestion",
    ]

    private func check(_ arguments: [String]) throws -> CommandOutput {
        try runCommand(
            try BuiltProducts.executable("rollout"), ["check", "--output", "json"] + arguments,
            environment: ["PATH": "/usr/bin:/bin"], currentDirectory: Self.corpus, timeout: .seconds(60))
    }

    @Test func problemsAreDataWithFoundAndAllowed() throws {
        let result = try check(["-i", "good/inventory.yml", "-p", "cases/pb-several-problems-at-once/playbook.yml"])
        #expect(result.status == 2)
        #expect(result.stderr.isEmpty)
        let report = try json(result)
        #expect(report["schema"] as? String == "rollout.check/1")
        #expect(report["ok"] as? Bool == false)
        #expect(report["hosts"] is NSNull)
        let problems = try #require(report["problems"] as? [[String: Any]])
        #expect(problems.count == 4)
        for problem in problems { #expect(Set(problem.keys) == Self.fields) }
        let strategy = try #require(problems.first { $0["key"] as? String == "strategy" })
        #expect(strategy["code"] as? String == "invalid-value")
        #expect(strategy["file"] as? String == "cases/pb-several-problems-at-once/playbook.yml")
        #expect(strategy["line"] as? Int == 4)
        #expect(strategy["column"] as? Int == 11)
        #expect(strategy["found"] as? String == "rolling")
        #expect(strategy["allowed"] as? String == "`hot`, `drain`, `reload`")
        let serial = try #require(problems.first { $0["key"] as? String == "serial" })
        #expect(serial["found"] as? String == "120%")
        #expect(serial["allowed"] as? String == "a count ≥ 1 or a percentage from 1% to 100%")
        let bake = try #require(problems.first { $0["key"] as? String == "canary.bake" })
        #expect(bake["found"] as? String == "10")
        #expect(bake["suggestion"] as? String == "10s")
    }

    @Test func aValidConfigurationIsOkWithItsCounts() throws {
        let result = try check(["-i", "good/inventory.yml", "-p", "good/playbook.yml"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try json(result)
        #expect(report["ok"] as? Bool == true)
        #expect((report["problems"] as? [Any])?.isEmpty == true)
        #expect(report["hosts"] as? Int == 4)
        #expect(report["batches"] as? Int == 3)
        #expect(report["version"] as? String == "1.0.0")
        #expect(report["inventory"] as? String == "good/inventory.yml")
    }

    @Test func aLimitMatchingNothingIsAProblem() throws {
        let result = try check(["-i", "good/inventory.yml", "-p", "good/playbook.yml", "--limit", "db"])
        #expect(result.status == 2)
        let problems = try #require(try json(result)["problems"] as? [[String: Any]])
        #expect(problems.first?["code"] as? String == "no-match")
    }
}
