import Foundation
import RolloutTestSupport
import Testing

/// The demo service's `--config` file: validated by `--check-config`, re-read on SIGHUP, a bad one rejected.
@Suite("Demo service configuration", .serialized)
struct DemoServiceConfigTests {
    static func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("demo-conf-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(
        "--check-config accepts a valid file and names the line of an invalid one",
        arguments: [
            ("# c\n\nmessage = hello  \n", true, ""),
            ("message = a\nmessage = b\n", false, "line 2: `message` is given twice"),
            ("mesage = typo\n", false, "line 1: unknown key `mesage`"),
            ("just words\n", false, "line 1: expected `key = value`"),
            ("# nothing\n", false, "`message` is required"),
        ])
    func checkConfig(text: String, valid: Bool, reason: String) throws {
        let path = try Self.temporaryFile(text)
        defer { unlink(path) }
        let result = try runCommand(
            try BuiltProducts.executable("rollout-demo-service"), ["--check-config", path], environment: [:])
        #expect(result.status == (valid ? 0 : 1), "\(result.stdout)\(result.stderr)")
        if valid {
            #expect(result.stdout.contains("configuration ok"), "\(result.stdout)")
        } else {
            #expect(result.stderr.contains(reason), "\(result.stderr)")
        }
    }

    @Test("SIGHUP with a rejected file: RELOADING=1, then STATUS= why, ERRNO=22 and READY=1; the old text stays")
    func rejectedReloadKeepsTheOldConfiguration() throws {
        let path = try Self.temporaryFile("message = first\n")
        defer { unlink(path) }
        let notify = try NotifyReceiver()
        let service = try DemoServiceProcess.start(.init(notifySocket: notify.path, arguments: ["--config", path]))
        defer { service.stop() }
        try notify.waitFor("READY=1", timeout: .seconds(10))
        let address = try #require(service.address)
        #expect(try HTTPTestClient.get(address, "/").body.contains("message=first\n"))

        try "message = second\ncolour = blue\n".write(toFile: path, atomically: true, encoding: .utf8)
        service.signal(SIGHUP)
        let rejected = try notify.waitFor("READY=1", timeout: .seconds(10))
        #expect(rejected.first?.hasPrefix("RELOADING=1\n") == true, "\(rejected)")
        let last = try #require(rejected.last)
        #expect(last.contains("ERRNO=22\n"), "\(last)")
        #expect(last.contains("STATUS=configuration rejected: line 2: unknown key `colour`"), "\(last)")
        #expect(try HTTPTestClient.get(address, "/").body.contains("message=first\n"))

        try "message = second\n".write(toFile: path, atomically: true, encoding: .utf8)
        service.signal(SIGHUP)
        let accepted = try notify.waitFor("READY=1", timeout: .seconds(10))
        #expect(accepted.allSatisfy { !$0.contains("ERRNO=") }, "\(accepted)")
        #expect(try HTTPTestClient.get(address, "/").body.contains("message=second\n"))
    }

    @Test("an invalid file at start: exit 1 with the reason, like a server refusing a broken config")
    func invalidAtStart() throws {
        let path = try Self.temporaryFile("nonsense\n")
        defer { unlink(path) }
        let result = try runCommand(
            try BuiltProducts.executable("rollout-demo-service"), ["--listen", "127.0.0.1:0", "--config", path],
            environment: [:], timeout: .seconds(20))
        #expect(result.status == 1)
        #expect(result.stderr.contains("invalid configuration"), "\(result.stderr)")
    }
}
