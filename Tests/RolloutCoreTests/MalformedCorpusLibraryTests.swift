import Foundation
import RolloutConfig
import Testing

@testable import RolloutCore

/// The malformed corpus (`Tests/Fixtures/malformed`, see `MalformedCorpusTests` in RolloutCLITests) through the
/// library: `PlanLoader.plan` throws exactly the problems the case's `expected` file lists, in order.
@Suite struct MalformedCorpusLibraryTests {
    static let corpus: String = PlanFixtures.packageRoot + "/Tests/Fixtures/malformed"

    static let cases: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus + "/cases")) ?? []).sorted()

    @Test(arguments: cases)
    func theLoaderReportsExactlyTheExpectedProblems(name: String) throws {
        let expected = try String(contentsOfFile: "\(Self.corpus)/cases/\(name)/expected", encoding: .utf8)
        // `expected` is what `rollout check` prints: one `error: ` line per problem, then a summary line.
        let lines = expected.split(separator: "\n").map(String.init)
        let problems = lines.dropLast().map { String($0.dropFirst("error: ".count)) }
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(Self.corpus)/cases/\(name)")
        let inventory = files.first { $0.hasPrefix("inventory.") }.map { "cases/\(name)/\($0)" }
        let playbook = files.contains("playbook.yml") ? "cases/\(name)/playbook.yml" : nil
        let options = PlanOptions(
            inventory: inventory ?? "good/inventory.yml", playbook: playbook ?? "good/playbook.yml",
            baseDirectory: Self.corpus)
        let error = try #require(throws: ConfigError.self) { try PlanLoader.plan(options) }
        // The library names files under its base directory; `rollout check` runs in it, so names are relative.
        let printed = error.all.map { $0.description.replacingOccurrences(of: Self.corpus + "/", with: "") }
        #expect(printed == problems)
        #expect(lines.last == "\(problems.count) problem\(problems.count == 1 ? "" : "s") found; no host was touched")
    }
}
