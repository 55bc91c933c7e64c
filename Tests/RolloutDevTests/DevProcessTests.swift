import Foundation
import RolloutTestSupport
import Testing

/// `rollout dev` for real: inotify, shell builds, `rollout-agent`, the demo service, load on 127.0.0.1.
@Suite("rollout dev: watch, rebuild, hot-restart", .serialized)
struct DevProcessTests {
    @Test("5 edits under load: each version is served after its build, one generation per build, 0 failed requests")
    func editsUnderLoad() throws {
        let fixture = try DevFixture()
        try fixture.start()
        #expect(try fixture.get().headers["x-version"] == "v1")
        let load = try LoadGenerator.start(
            .init(port: fixture.port, concurrency: 4, duration: .seconds(120), requestTimeout: .seconds(30)))
        #expect(load.waitForSucceeded(50, timeout: .seconds(20)))
        for round in 2...6 {
            try fixture.write("src/version.txt", "v\(round)\n")
            try fixture.waitFor(.seconds(30)) { fixture.events("serving").count == round }
            #expect(try fixture.get().headers["x-version"] == "v\(round)", "served once its build finished")
            #expect(load.waitForSucceeded(load.progress.succeeded + 20, timeout: .seconds(20)))
        }
        let report = load.stop()
        print("rollout dev, 5 edits: \(report.summary)")
        #expect(report.failed == 0, "\(report.summary)")
        #expect(Set(report.versionsSeen.keys) == Set((1...6).map { "v\($0)" }), "\(report.versionsSeen)")
        let serving = fixture.events("serving")
        #expect(Set(serving.compactMap { $0["generation"] as? Int }) == Set(1...6), "one generation per build")
        #expect(fixture.events("build.finished").count == 6)
        #expect(serving.allSatisfy { ($0["change_to_serving_ms"] as? Int ?? -1) >= 0 })
        try fixture.stop()
    }

    @Test("a broken build and a release that never gets ready leave the previous one serving; the fix is picked up")
    func failuresKeepThePreviousServing() throws {
        let fixture = try DevFixture()
        try fixture.start()
        let pid = try fixture.get().headers["x-pid"]

        try fixture.write("src/version.txt", "BROKEN\n")
        try fixture.waitFor(.seconds(30)) { fixture.events("build.finished").count == 2 }
        let failed = try #require(fixture.events("build.finished").last)
        #expect(failed["outcome"] as? String == "failed" && failed["exit_status"] as? Int == 2)
        #expect(
            (failed["output_tail"] as? [String])?.contains("src/version.txt:1: error: BROKEN is not a version") == true)
        #expect(try fixture.get().headers["x-pid"] == pid, "the previous generation keeps serving")

        // Builds, but the new generation never says READY=1: killed at --ready-timeout, the old one serves on.
        try fixture.write("src/flags", "--never-ready\n")
        try fixture.write("src/version.txt", "v2\n")
        try fixture.waitFor(.seconds(30)) { fixture.events("restart.finished").count == 2 }
        let restart = try #require(fixture.events("restart.finished").last)
        #expect(restart["outcome"] as? String == "failed", "\(restart)")
        #expect((restart["reason"] as? String ?? "").contains("not ready within"), "\(restart)")
        let still = try fixture.get()
        #expect(still.headers["x-pid"] == pid && still.headers["x-version"] == "v1")

        try fixture.write("src/flags", "\n")
        try fixture.write("src/version.txt", "v3\n")
        try fixture.waitFor(.seconds(30)) { fixture.events("serving").count == 2 }
        #expect(try fixture.get().headers["x-version"] == "v3")
        try fixture.stop()
    }

    @Test("50 file writes within 200 ms trigger one build")
    func burstIsOneBuild() throws {
        let fixture = try DevFixture()
        try fixture.start()
        let began = ContinuousClock.now
        for i in 0..<50 {
            try fixture.write("src/file\(i % 10).txt", "write \(i)\n")
            usleep(3_000)
        }
        let burst = ContinuousClock.now - began
        try fixture.waitFor(.seconds(30)) { fixture.events("serving").count == 2 }
        Thread.sleep(forTimeInterval: 1)
        print("50 writes in \(burst)")
        #expect(fixture.events("build.started").count == 2, "the initial build and one for the burst")
        let changed = try #require(fixture.events("changed").last)
        #expect((changed["paths"] as? [String])?.count == 10, "\(changed)")
        try fixture.stop()
    }

    @Test("an edit of a --reload file reloads the service: new config served, same pid, no build")
    func configEditReloads() throws {
        let fixture = try DevFixture()
        try fixture.start(["--reload", "conf/*.conf"])
        let before = try fixture.get()
        #expect(before.body.contains("message=first"))
        try fixture.write("conf/app.conf", "message = second\n")
        try fixture.waitFor(.seconds(30)) { fixture.events("reload.finished").count == 1 }
        let reload = try #require(fixture.events("reload.finished").first)
        #expect(reload["outcome"] as? String == "ok", "\(reload)")
        let after = try fixture.get()
        #expect(after.body.contains("message=second"), "\(after.body)")
        #expect(after.headers["x-pid"] == before.headers["x-pid"], "reloaded in place, no new generation")
        #expect(fixture.events("build.started").count == 1, "only the initial build")
        try fixture.stop()
    }
    @Test("in a terminal: a status line redrawn in place (watching, serving generation N with pid and ready ms); SIGHUP stops cleanly")
    func terminalStatusLine() throws {
        let fixture = try DevFixture()
        try fixture.start(inTerminal: true)
        try fixture.write("src/version.txt", "v2\n")
        try fixture.waitFor(.seconds(30)) { fixture.process?.output.contains("serving generation 2 (pid") == true }
        let output = fixture.process?.output ?? ""
        #expect(output.contains("\r\u{1b}[Kwatching | serving generation 2 (pid "), "the status line: \(output)")
        #expect(output.contains("changed: src/version.txt -> build"))
        #expect(output.contains("gen=2 pid="), "the service's own lines, tagged")
        // The terminal goes away: rollout dev drains the service and stops the agent instead of leaving them.
        let process = try #require(fixture.process)
        let tree = ProcessTree.descendants(of: process.pid)
        let rollout = try #require(fixture.rolloutPID())
        kill(rollout, SIGHUP)
        #expect(try process.waitForExit(timeout: .seconds(60)) == 0, "\(process.output)")
        #expect(process.output.contains("stopped"))
        #expect(tree.filter { ProcessTree.isAlive($0) }.isEmpty)
    }
}
