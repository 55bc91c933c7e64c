import AgentKit
import Foundation
import RolloutTestSupport
import Testing

/// Fencing tokens on a real agent: a lower token than the highest seen is refused and nothing is done to the service;
/// the highest token is kept on disk through the agent's restart, its self-upgrade and a takeover after kill -9.
extension AgentProcessTests {
    @Suite("The agent refuses a lower fencing token", .serialized)
    struct AgentFencingTests {
        /// The serving generation's number and pid.
        static func serving(_ fixture: AgentFixture) throws -> (generation: Int, pid: Int32) {
            let ready = try #require(try fixture.status().generations?.first { $0.state == "ready" })
            return (ready.generation, ready.pid)
        }

        @Test("5 accepted, 3 refused (both named, nothing done), 5 again accepted, no token accepted")
        func lowerTokenIsRefused() throws {
            let fixture = try AgentFixture.withReleases(["v1", "v2"])
            try fixture.start()
            let (accepted, first) = try fixture.ctl("restart", "--fence", "5")
            #expect(accepted == 0 && first.outcome == "ok", "\(first)")
            #expect(first.fence == 5 && first.highestFence == 5, "\(first)")
            let before = try Self.serving(fixture)
            #expect(before.generation == first.generation)

            // A lower token: refused, exit 2, both tokens named, the service untouched (same pid, no new generation).
            try fixture.activate("v2")
            for command in ["restart", "reload-service"] {
                let (status, refused) = try fixture.ctl(command, "--fence", "3")
                #expect(status == 2 && refused.outcome == "refused", "\(command): \(refused)")
                #expect(refused.fence == 3 && refused.highestFence == 5 && refused.isFencedOff, "\(refused)")
                let reason = refused.reason ?? ""
                #expect(reason.contains("fencing token 3") && reason.contains("than 5"), "\(reason)")
                let after = try Self.serving(fixture)
                #expect(after.generation == before.generation && after.pid == before.pid, "nothing was done")
                #expect(try fixture.status().generations?.count == 1)
                #expect(try fixture.get().headers["x-version"] == "v1")
            }

            // The same token again (the same controller retrying or resuming): accepted.
            let (again, equal) = try fixture.ctl("restart", "--fence", "5")
            #expect(again == 0 && equal.outcome == "ok" && equal.generation == before.generation + 1, "\(equal)")
            #expect(try fixture.get().headers["x-version"] == "v2")
            // No token (an older controller, `ctl restart` by hand): works as before, and the mark stays.
            let (plain, unfenced) = try fixture.ctl("restart")
            #expect(plain == 0 && unfenced.outcome == "ok" && unfenced.fence == nil, "\(unfenced)")
            #expect(try fixture.status().highestFence == 5)
            // `ctl` refuses a token where it does not apply.
            let misuse = try runCommand(
                fixture.agentBinary, ["ctl", "--socket", fixture.controlSocket, "status", "--fence", "9"])
            #expect(misuse.status == 64 && misuse.stderr.contains("--fence applies to"), "\(misuse.stderr)")
            try fixture.shutdown()
        }

        @Test("the highest token survives the agent's restart, its self-upgrade and a takeover after kill -9")
        func highWaterMarkIsDurable() throws {
            let fixture = try AgentFixture.withReleases(["v1"])
            try fixture.start()
            #expect(try fixture.ctl("restart", "--fence", "7").status == 0)
            let record = "\(fixture.root)/run/testsvc.fence.json"
            #expect(FileManager.default.fileExists(atPath: record), "kept beside the control socket")

            // A stopped and started agent.
            try fixture.shutdown()
            #expect(FileManager.default.fileExists(atPath: record), "not removed when the agent stops")
            try fixture.start()
            try Self.expectRefused(fixture, 6, highest: 7)
            #expect(try fixture.ctl("restart", "--fence", "8").status == 0)

            // A self-upgrade (exec of a new binary in place).
            let newBinary = "\(fixture.root)/rollout-agent-new"
            try FileManager.default.copyItem(atPath: fixture.agentBinary, toPath: newBinary)
            let (upgraded, answer) = try fixture.ctl("upgrade-agent", "--binary", newBinary)
            #expect(upgraded == 0, "\(answer)")
            try Self.expectRefused(fixture, 7, highest: 8)

            // kill -9, then a new agent takes the running service over.
            let first = try #require(fixture.agent)
            let orphans = AgentFixture.descendants(of: first.pid)
            defer { orphans.forEach { kill($0, SIGKILL) } }
            first.signal(SIGKILL)
            _ = try first.waitForExit(timeout: .seconds(10))
            Thread.sleep(forTimeInterval: 0.5)
            try fixture.start()
            #expect(try fixture.status().agent?.takeover?.fromPid == first.pid, "a takeover, not a fresh start")
            try Self.expectRefused(fixture, 7, highest: 8)
            let (status, accepted) = try fixture.ctl("restart", "--fence", "9")
            #expect(status == 0 && accepted.highestFence == 9, "\(accepted)")
            try fixture.shutdown()
        }

        static func expectRefused(_ fixture: AgentFixture, _ fence: Int64, highest: Int64) throws {
            let before = try serving(fixture)
            let (status, answer) = try fixture.ctl("restart", "--fence", String(fence))
            #expect(status == 2 && answer.isFencedOff && answer.highestFence == highest, "\(answer)")
            let after = try serving(fixture)
            #expect(after.generation == before.generation && after.pid == before.pid, "nothing was done")
        }
    }
}
