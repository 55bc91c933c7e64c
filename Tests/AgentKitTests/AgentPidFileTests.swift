import AgentKit
import Foundation
import RolloutTestSupport
import Testing

extension AgentProcessTests {
    @Suite("Agent pid file", .serialized)
    struct AgentPidFileTests {
        @Test("the pid file is written through an unpredictable temporary name: a planted symlink is never followed")
        func plantedTemporaryIsNotFollowed() throws {
            let fixture = try AgentFixture.running()
            let agentPID = try #require(fixture.agent?.pid)
            // The names the agent used to write through (`agent.pid.tmp.<pid>`), each a symlink to a victim file;
            // `upgrade-agent` re-executes the agent in place (same pid), which writes its pid file again.
            let victim = "\(fixture.root)/victim"
            let planted = "\(fixture.pidFile).tmp.\(agentPID)"
            try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: victim)
            let binary = "\(fixture.root)/rollout-agent-again"
            try FileManager.default.copyItem(atPath: fixture.agentBinary, toPath: binary)
            let (status, answer) = try fixture.ctl("upgrade-agent", "--binary", binary)
            #expect(status == 0, "\(answer) \(fixture.agentOutput)")
            #expect(answer.agent?.pid == agentPID)

            #expect(!FileManager.default.fileExists(atPath: victim), "the pid file was written through the symlink")
            let type = try FileManager.default.attributesOfItem(atPath: fixture.pidFile)[.type] as? FileAttributeType
            #expect(type == .typeRegular, "the pid file is a regular file, not a planted link")
            let text = try String(contentsOfFile: fixture.pidFile, encoding: .utf8)
            #expect(text == "\(agentPID)\n")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: "\(fixture.root)/run").filter {
                $0.hasPrefix("agent.pid.") && $0 != "agent.pid.tmp.\(agentPID)"
            }
            #expect(leftovers.isEmpty, "no temporary file is left: \(leftovers)")
            try? FileManager.default.removeItem(atPath: planted)
            try fixture.shutdown()
        }
    }
}
