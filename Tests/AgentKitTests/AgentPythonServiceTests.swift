import AgentKit
import Foundation
import RolloutTestSupport
import Testing

extension AgentProcessTests {
    @Suite("Agent with a service in another language", .serialized)
    struct AgentPythonServiceTests {
        @Test("a Python service on the inherited fd with NOTIFY_SOCKET is hot-restarted under load with 0 failures")
        func pythonServiceHotRestart() throws {
            let python = try BuiltProducts.tool("python3")
            let fixture = try AgentFixture(command: [python, "{release}/service.py"])
            for version in ["p1", "p2", "p3", "p4"] {
                let directory = "\(fixture.root)/releases/\(version)"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try PythonService.script.write(toFile: "\(directory)/service.py", atomically: true, encoding: .utf8)
            }
            try fixture.activate("p1")
            // Two fds the agent inherits without close-on-exec: neither may reach the service.
            let stray = open("/dev/null", O_RDONLY)
            defer { close(stray) }
            try fixture.start(strayFDs: [stray, stray])
            let load = try LoadGenerator.start(
                LoadGenerator.Configuration(
                    port: fixture.port, concurrency: 32, duration: .seconds(120), requestTimeout: .seconds(30),
                    slowShare: 0.05, slowMilliseconds: 500))
            #expect(load.waitForSucceeded(100, timeout: .seconds(30)))
            let inherited = try fixture.get("/inherited")
            let state = try #require(
                try JSONSerialization.jsonObject(with: Data(inherited.body.utf8)) as? [String: Any])
            #expect(
                state["fds"] as? [Int] == [0, 1, 2, 3, 4],
                "only stdio and the listener are inherited: \(inherited.body)")
            let signalMask = (state["status"] as? [String: String])?["SigBlk"]
            #expect(signalMask == "0000000000000000", "the agent's blocked signals were reset")
            var pids: Set<Int32> = [try #require(try fixture.servingPID())]
            for version in ["p2", "p3", "p4"] {
                try fixture.activate(version)
                let (status, answer) = try fixture.ctl("restart")
                #expect(status == 0, "\(answer)")
                #expect(answer.version == version)
                pids.insert(answer.newPid ?? 0)
                #expect(try fixture.get("/").headers["x-version"] == version)
                Thread.sleep(forTimeInterval: 1)
            }
            let report = load.stop()
            print("python service: \(report.summary)")
            #expect(report.failed == 0, "\(report.summary)")
            #expect(pids.count == 4)
            #expect(report.pidsSeen == pids, "\(report.summary)")
            #expect(try fixture.status().generations?.first?.status == "python p4", "STATUS= reached the agent")
            let log = try String(contentsOfFile: fixture.logPath, encoding: .utf8)
            #expect(log.contains("gen=4 pid=\(answerPID(fixture)) | python service p4 pid"), "tagged log lines")
            #expect(log.contains("gen=3") && log.contains("python service drained"))
            try fixture.shutdown()
        }

        private func answerPID(_ fixture: AgentFixture) -> String {
            ((try? fixture.servingPID()) ?? nil).map(String.init) ?? "?"
        }
    }
}
