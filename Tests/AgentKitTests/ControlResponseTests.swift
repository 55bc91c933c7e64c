import AgentKit
import Foundation
import Testing

/// The controller parses these answers: their field names are a published interface.
@Suite("Control answers")
struct ControlResponseTests {
    @Test("a restart answer is one JSON line with the documented snake_case keys")
    func restartKeys() throws {
        var response = ControlResponse(command: "restart", outcome: "failed", reason: "boom")
        response.generation = 3
        response.oldPid = 10
        response.newPid = 11
        response.readyMs = 5
        response.drainMs = 6
        response.handoffMs = 7
        response.oldKilled = false
        response.logTail = ["last line"]
        response.release = "/srv/app/releases/v3"
        response.version = "v3"
        let bytes = response.encoded()
        #expect(bytes.last == 10 && bytes.dropLast().contains(10) == false, "exactly one line")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "protocol_version", "command", "outcome", "reason", "generation", "old_pid", "new_pid", "ready_ms", "drain_ms",
                "handoff_ms",
                "old_killed", "log_tail", "release", "version",
            ])
        #expect(try ControlResponse.decode(Data(bytes)) == response, "round trip")
    }

    @Test("status parts use snake_case too; absent fields are omitted")
    func statusKeys() throws {
        var response = ControlResponse(command: "status", outcome: "ok")
        response.restarts = RestartCounters(hot: 1, failed: 2, crashes: 3, crashRestarts: 4)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.encoded())) as? [String: Any])
        #expect(Set(object.keys) == ["protocol_version", "command", "outcome", "restarts"])
        let restarts = try #require(object["restarts"] as? [String: Int])
        #expect(restarts == ["hot": 1, "failed": 2, "crashes": 3, "crash_restarts": 4])
    }

    @Test("ctl exit statuses: 0 ok, 1 failed, 2 refused, 64 error, 3 unreachable")
    func exitStatuses() {
        let statuses = ["ok", "failed", "refused", "error"].map {
            ControlClient.exitStatus(for: ControlResponse(command: "restart", outcome: $0))
        }
        #expect(statuses == [0, 1, 2, 64])
        #expect(ControlClient.unreachableStatus == 3)
    }
}
