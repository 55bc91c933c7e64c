import AgentKit
import Foundation
import RolloutTestSupport
import Testing

extension AgentProcessTests {
    @Suite("Agent readiness probes", .serialized)
    struct AgentReadinessTests {
        @Test("http readiness: a service without sd_notify is ready once GET / answers 2xx from its own pid")
        func httpReadiness() throws {
            let demo = try BuiltProducts.executable("rollout-demo-service")
            let fixture = try AgentFixture()
            try fixture.addRelease("quiet1", script: "exec \(demo) --no-notify --version-string quiet1")
            try fixture.addRelease("quiet2", script: "exec \(demo) --no-notify --version-string quiet2")
            try fixture.addRelease("dead", script: "exec \(demo) --fail-at-start")
            try fixture.activate("quiet1")
            fixture.readinessYAML = "  type: http\n  path: /\n  pid_header: X-Pid\n  interval: 50ms\n  timeout: 20s"
            try fixture.start()
            let first = try #require(try fixture.servingPID())

            try fixture.activate("quiet2")
            let (status, answer) = try fixture.ctl("restart")
            #expect(status == 0, "\(answer)")
            #expect(answer.oldPid == first)
            #expect(try fixture.get("/").headers["x-version"] == "quiet2")

            try fixture.activate("dead")
            let (failedStatus, failed) = try fixture.ctl("restart")
            #expect(failedStatus == 1, "\(failed)")
            #expect(try fixture.get("/").headers["x-pid"] == answer.newPid.map(String.init))
            try fixture.shutdown()
        }
    }
}
