import Foundation
import RolloutTestSupport
import Testing

/// `--forks` is taken only by the commands whose fan-out it sets; a rollout's width is its plan's.
@Suite struct ForksOptionTests {
    @Test(
        "deploy, resume, rollback and promote refuse --forks (exit 2: a usage error, nothing is run)",
        arguments: [
            ["deploy", "--inventory", "good/inventory.yml", "--playbook", "good/playbook.yml"], ["resume"],
            ["rollback", "--inventory", "good/inventory.yml"], ["promote"],
        ])
    func rolloutCommandsRefuseForks(_ command: [String]) throws {
        let result = try runCommand(
            try BuiltProducts.executable("rollout"), command + ["--forks", "5"],
            environment: ["PATH": "/usr/bin:/bin"], currentDirectory: MalformedCorpusTests.corpus,
            timeout: .seconds(60))
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("--forks"), "\(result.stderr)")
    }

    @Test("ping still takes --forks and checks it")
    func pingChecksForks() throws {
        let result = try runCommand(
            try BuiltProducts.executable("rollout"), ["ping", "--inventory", "good/inventory.yml", "--forks", "0"],
            environment: ["PATH": "/usr/bin:/bin"], currentDirectory: MalformedCorpusTests.corpus,
            timeout: .seconds(60))
        #expect(result.status == 2)
        #expect(result.stderr.contains("--forks must be at least 1"), "\(result.stderr)")
    }
}
