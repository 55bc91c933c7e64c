import Foundation
import RolloutTestSupport
import Testing

/// The corpus of malformed inventories and playbooks in `Tests/Fixtures/malformed/cases/`: `rollout check` must
/// exit 2 and print exactly the case's `expected` text on standard error, and nothing on standard output.
///
/// A case holds `playbook.yml` and/or `inventory.yml|ini`; the missing half is the valid one in `good/`.
/// Paths are relative to `Tests/Fixtures/malformed`, the directory `rollout check` runs in.
@Suite struct MalformedCorpusTests {
    static let corpus: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<2 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Fixtures/malformed").path
    }()

    static let cases: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus + "/cases")) ?? []).sorted()

    /// The `--inventory` and `--playbook` arguments for a case.
    static func arguments(_ name: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(corpus)/cases/\(name)")) ?? []
        let inventory = files.first { $0.hasPrefix("inventory.") }.map { "cases/\(name)/\($0)" }
        let playbook = files.contains("playbook.yml") ? "cases/\(name)/playbook.yml" : nil
        return [
            "--inventory", inventory ?? "good/inventory.yml", "--playbook", playbook ?? "good/playbook.yml",
        ]
    }

    @Test func theCorpusHasAtLeastThirtyCasesAndItsValidHalvesAreValid() throws {
        #expect(Self.cases.count >= 30)
        let result = try rollout(
            "check", "--inventory", "good/inventory.yml", "--playbook", "good/playbook.yml",
            currentDirectory: Self.corpus)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test(arguments: cases)
    func checkRejectsTheCaseWithItsExactErrors(name: String) throws {
        let expected = try String(contentsOfFile: "\(Self.corpus)/cases/\(name)/expected", encoding: .utf8)
        let result = try runCommand(
            try BuiltProducts.executable("rollout"), ["check"] + Self.arguments(name),
            environment: ["PATH": "/usr/bin:/bin"], currentDirectory: Self.corpus, timeout: .seconds(60))
        #expect(result.status == 2)
        #expect(result.stderr == expected)
        #expect(result.stdout.isEmpty)
    }
}
