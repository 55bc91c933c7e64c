import Foundation
import RolloutTestSupport
import Testing

/// `rollout deploy ... | head -1` (or `| tee` killed first by Ctrl-C): the reader of the controller's output goes
/// away mid-rollout. The controller must not die of SIGPIPE (or trap on EPIPE) with a host drained: it stops
/// writing and finishes the rollout — journal, restores, exit code — as if nobody had left.
@Suite("rollout deploy: a reader that goes away", .serialized)
struct DeployPipeTests {
    @Test(
        "stdout's reader exits while h1 is drained: the rollout still finishes, every host restored",
        arguments: ["text", "json"])
    func readerGoesAway(output: String) throws {
        let gated = try GatedDrainFixture(hosts: 2)
        defer { gated.stop() }
        let fixture = gated.deploy
        #expect(try fixture.installAgents().status == 0)
        // h1's drain wait lasts until the reader has gone, so the controller has more to write after that.
        try gated.setConnections("h1", 1)

        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        // Only the controller's copy of the write end may outlive us: the reader's end is ours alone.
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        let stderrPath = fixture.project + "/stderr.txt"
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltProducts.executable("rollout"))
        process.arguments = [
            "deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v1", "--output", output,
        ]
        process.currentDirectoryURL = URL(fileURLWithPath: fixture.project)
        process.standardOutput = FileHandle(fileDescriptor: ends[1], closeOnDealloc: false)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        close(ends[1])

        // Read up to the line that says h1's drain is under way, then go away like `head`: the controller's next
        // line comes while h1 is out of rotation.
        let marker = output == "json" ? ["\"phase_started\"", "\"drain\""] : ["h1 upload ok"]
        var lines: [String] = []
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(ends[0], &byte, 1) == 1 {
            guard byte == 0x0A else {
                line.append(byte)
                continue
            }
            lines.append(String(decoding: line, as: UTF8.self))
            line = []
            if marker.allSatisfy(lines.last!.contains) { break }
        }
        close(ends[0])
        #expect(marker.allSatisfy { lines.last?.contains($0) == true }, "\(lines)")
        let drained = ContinuousClock.now + .seconds(30)
        while !gated.gatewayLog.contains("drain h1") && ContinuousClock.now < drained {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(gated.gatewayLog == ["drain h1"], "h1 is drained when the reader has gone")
        try gated.setConnections("h1", 0)

        let deadline = ContinuousClock.now + .seconds(120)
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        #expect(process.terminationReason == .exit, "killed by signal \(process.terminationStatus): \(stderr)")
        #expect(process.terminationStatus == 0, "\(stderr)")

        let detail = try gated.show(1)
        #expect(detail["status"] as? String == "succeeded", "the journal shows the rollout finished")
        #expect(try hostsByName(detail).values.allSatisfy { $0["status"] as? String == "succeeded" })
        #expect(gated.gatewayLog == ["drain h1", "restore h1", "drain h2", "restore h2"])
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.servedVersions())")
    }

    @Test("commands the controller runs (hooks, gateway commands) get SIGPIPE at its default, not ignored")
    func childrenKeepTheDefaultSIGPIPE() throws {
        let file = NSTemporaryDirectory() + "sigign-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let fixture = try DeployFixture(
            hosts: 1, playbookExtra: "serial: 1\nhooks:\n  after_rollout: \"grep SigIgn /proc/self/status > \(file)\"")
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        let run = try fixture.deploy("v1")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let line = try String(contentsOfFile: file, encoding: .utf8)
        let mask = UInt64(
            line.split(separator: "\t").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "", radix: 16)
        #expect(mask.map { $0 & (1 << (UInt64(SIGPIPE) - 1)) == 0 } == true, "SIGPIPE ignored in the hook: \(line)")
    }
}
