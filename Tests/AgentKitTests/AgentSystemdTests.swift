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

        /// The test plays systemd: a datagram socket as `NOTIFY_SOCKET` that keeps the fds of `FDSTORE=1` messages by
        /// name, and hands them to the next agent as `LISTEN_FDS`/`LISTEN_FDNAMES`, as systemd does on a restart.
        @Test(
            "fd store: the listeners are pushed by name; after kill -9 the restarted agent gets them back and takes over"
        )
        func fdStoreAcrossAgentDeath() throws {
            let fixture = try AgentFixture.withReleases(["v1"])
            let systemd = try NotifyReceiver()
            var store: [String: [Int32]] = [:]
            defer { store.values.joined().forEach { close($0) } }
            try fixture.start(agentEnvironment: ["NOTIFY_SOCKET": systemd.path])
            try systemd.collectStore(&store, until: "READY=1", timeout: .seconds(30))
            #expect(store.keys.sorted() == ["http"], "\(store)")
            let stored = try #require(store["http"]?.first)
            #expect(store["http"]?.count == 1)
            #expect(TestListener.boundPort(stored) == fixture.port, "the stored fd is the listener itself")

            let (load, servicePID, orphans) = try fixture.killAgentUnderLoad()
            defer { orphans.forEach { kill($0, SIGKILL) } }

            // systemd restarts the unit (Restart=, KillMode=process left the service running) with the store's fds.
            let second = try FixtureProcess(
                executable: fixture.agentBinary, arguments: ["run", "--config", fixture.configPath],
                environment: ["PATH": "/usr/bin:/bin", "NOTIFY_SOCKET": systemd.path], inheritedFDs: [stored],
                listenerNames: ["http"])
            fixture.agent = second
            let messages = try systemd.collectStore(&store, until: "READY=1", timeout: .seconds(30))
            #expect(messages.joined(separator: "\n").contains("MAINPID=\(second.pid)"), "\(messages)")
            let status = try fixture.status()
            #expect(status.agent?.takeover?.listenersFrom == "fdstore", "\(status)")
            #expect(status.listeners?.first?.activated == true)
            #expect(status.generations?.map(\.pid) == [servicePID])
            #expect(store["http"]?.count == 1, "the name was replaced, not added twice: \(store)")
            #expect(try fixture.ctl("restart").status == 0)
            let report = load.stop()
            print("fd store takeover: \(report.summary)")
            #expect(report.failed == 0, "\(report.summary)")

            try fixture.shutdown()
            let stop = try systemd.collectStore(&store, until: "FDSTOREREMOVE=1", timeout: .seconds(10))
            #expect(stop.contains { $0.contains("STOPPING=1") }, "\(stop)")
            #expect(store["http"] == nil, "a graceful stop empties the store, so the port is not kept bound")
        }
    }
}
