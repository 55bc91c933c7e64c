import AgentKit
import Foundation
import RolloutTestSupport
import Testing

extension AgentProcessTests {
    @Suite("Agent under systemd", .serialized)
    struct AgentSystemdTests {
        @Test("Type=notify: READY=1 with MAINPID, STOPPING=1; listeners adopted from socket activation")
        func notifyAndSocketActivation() throws {
            let fixture = try AgentFixture.withReleases(["v1"])
            let systemd = try NotifyReceiver()
            let activated = try TestListener.loopbackTCP()
            defer { activated.close() }
            try fixture.start(
                activated: [activated], names: ["http"], agentEnvironment: ["NOTIFY_SOCKET": systemd.path])
            let agent = try #require(fixture.agent)

            let messages = try systemd.waitFor("READY=1", timeout: .seconds(30))
            #expect(messages.joined(separator: "\n").contains("MAINPID=\(agent.pid)"), "\(messages)")
            let listener = try #require(try fixture.status().listeners?.first)
            #expect(listener.activated)
            #expect(listener.name == "http")
            let response = try HTTPTestClient.get(activated.address, "/", timeout: .seconds(30))
            #expect(response.status == 200)
            #expect(response.headers["x-pid"] == (try fixture.servingPID()).map(String.init))
            #expect(throws: (any Error).self, "the configured address was not bound: the activated socket replaced it")
            {
                try fixture.get("/", timeout: .seconds(5))
            }
            #expect(try fixture.ctl("restart").status == 0)
            #expect(try HTTPTestClient.get(activated.address, "/", timeout: .seconds(30)).status == 200)
            try fixture.shutdown()
            #expect(try systemd.waitFor("STOPPING=1", timeout: .seconds(10)).count >= 1)
        }
    }
}
