import AgentProtocol
import Foundation
import Testing

/// Every answer shape the agent gives (docs/agent.md) survives the trip through its one JSON line: what the agent
/// encodes is what the controller decodes, field for field.
@Suite("Agent protocol: every answer round-trips")
struct AnswerRoundTripTests {
    static func restart(_ outcome: String, mode: String) -> ControlResponse {
        var answer = ControlResponse(command: "restart", outcome: outcome, reason: outcome == "ok" ? nil : "why")
        answer.mode = mode
        answer.generation = 3
        answer.oldPid = 10
        answer.newPid = 11
        answer.release = "/srv/web/releases/v3"
        answer.version = "v3"
        if outcome == "ok" {
            answer.readyMs = 40
            answer.drainMs = 12
            answer.handoffMs = 60
            answer.oldKilled = false
        } else {
            answer.logTail = ["failing at start", "exit 3"]
        }
        if mode == "cold" {
            answer.oldStopMs = 11
            answer.newStartMs = 12
            if outcome == "failed" {
                answer.restoredGeneration = 4
                answer.restoredPid = 12
                answer.restoredVersion = "v2"
            }
        }
        return answer
    }

    static var status: ControlResponse {
        var answer = ControlResponse(command: "status", outcome: "ok")
        answer.service = "web"
        answer.state = "running"
        answer.agent = AgentInfo(
            version: "0.1.0", pid: 4121, binary: "/usr/local/bin/rollout-agent", started: "2026-12-07T02:56:30.101Z",
            upgrades: 1,
            takeover: TakeoverInfo(
                fromPid: 4000, fromVersion: "0.1.0", generations: [7], takeoverMs: 3, listenersFrom: "pidfd_getfd"))
        answer.listeners = [
            ListenerInfo(name: "http", address: "tcp:127.0.0.1:8080", fd: 3, state: "active", activated: false),
            ListenerInfo(name: "admin", address: "unix:/run/web.sock", fd: 4, state: "retired", activated: true),
        ]
        answer.generations = [
            GenerationInfo(
                generation: 7, pid: 4188, release: "/srv/web/releases/v2", version: "v2", state: "ready",
                started: "2026-12-07T02:50:00.000Z", readyMs: 38, status: "serving", listeners: ["http"],
                adopted: true)
        ]
        answer.restarts = RestartCounters(hot: 4, failed: 1, crashes: 0, crashRestarts: 0)
        return answer
    }

    static var reloadService: [ControlResponse] {
        var ok = ControlResponse(command: "reload-service", outcome: "ok")
        ok.generation = 7
        ok.pid = 4188
        ok.signal = "SIGHUP"
        ok.reloadMs = 12
        ok.confirmedBy = "notify"
        ok.serviceStatus = "configuration 3"
        ok.version = "v2"
        var failed = ControlResponse(command: "reload-service", outcome: "failed", reason: "rejected")
        failed.errno = 22
        failed.logTail = ["bad key"]
        return [ok, failed]
    }

    static var others: [ControlResponse] {
        var stop = ControlResponse(command: "stop", outcome: "ok")
        stop.restarts = RestartCounters(hot: 1)
        var reload = ControlResponse(command: "reload", outcome: "ok")
        reload.listenersAdded = ["admin"]
        reload.listenersRemoved = []
        reload.listeners = status.listeners
        var upgraded = ControlResponse(command: "upgrade-agent", outcome: "ok")
        upgraded.version = "0.1.0"
        upgraded.agent = status.agent
        var refused = ControlResponse.refused("upgrade-agent", "cannot take over this agent's state")
        refused.version = "0.1.0"
        refused.agent = status.agent
        return [stop, reload, upgraded, refused, ControlResponse(command: "", outcome: "error", reason: "malformed")]
    }

    static var all: [ControlResponse] {
        [
            restart("ok", mode: "hot"), restart("failed", mode: "hot"), restart("ok", mode: "cold"),
            restart("failed", mode: "cold"), .refused("restart", "a restart is already in progress"), status,
        ]
            + reloadService + others
    }

    @Test("encode then decode gives the same answer, for every shape; one line each, with the protocol version")
    func roundTrip() throws {
        for answer in Self.all {
            let line = answer.encoded()
            #expect(line.last == 10 && !line.dropLast().contains(10), "one line: \(answer.command)")
            let decoded = try ControlResponse.decode(Data(line))
            #expect(decoded == answer, "\(String(decoding: line, as: UTF8.self))")
            #expect(decoded.protocolVersion == ControlResponse.currentProtocolVersion)
        }
    }

    @Test("an answer from an agent older than the version field still decodes, without it")
    func olderAgent() throws {
        let line =
            #"{"command":"restart","generation":2,"new_pid":22361,"old_pid":22315,"outcome":"ok","ready_ms":168}"#
        let decoded = try ControlResponse.decode(Data(line.utf8))
        #expect(decoded.protocolVersion == nil && decoded.outcome == "ok" && decoded.newPid == 22361)
    }

    @Test("requests round-trip too, and their checks")
    func requests() throws {
        for request in [
            ControlRequest(command: "restart", mode: "cold"), ControlRequest(command: "upgrade-agent", binary: "/b"),
            ControlRequest(command: "status"),
        ] {
            let data = try JSONEncoder().encode(request)
            #expect(try JSONDecoder().decode(ControlRequest.self, from: data) == request)
            #expect(request.problem == nil)
        }
        #expect(ControlRequest(command: "status", mode: "cold").problem == "mode applies to restart only")
    }

    @Test("a fencing token: on the commands that change the service only; a refusal for it is told apart")
    func fencing() throws {
        let request = ControlRequest(command: "restart", mode: "cold", fence: 1_796_622_835_269_000)
        #expect(
            String(decoding: try JSONEncoder().encode(request), as: UTF8.self).contains("\"fence\":1796622835269000"))
        #expect(try JSONDecoder().decode(ControlRequest.self, from: JSONEncoder().encode(request)) == request)
        #expect(request.problem == nil && ControlRequest(command: "reload-service", fence: 3).problem == nil)
        #expect(ControlRequest(command: "status", fence: 3).problem?.hasPrefix("fence applies to") == true)
        #expect(ControlRequest(command: "restart", fence: 0).problem?.contains("positive") == true)

        var refused = ControlResponse.refused("restart", "fencing token 3 is lower than 5")
        (refused.fence, refused.highestFence) = (3, 5)
        #expect(refused.isFencedOff)
        let line = String(decoding: refused.encoded(), as: UTF8.self)
        #expect(line.contains("\"fence\":3") && line.contains("\"highest_fence\":5"), "\(line)")
        #expect(try ControlResponse.decode(Data(line.utf8)).isFencedOff)
        // Busy is not fenced off (the controller retries it), nor is an accepted token.
        var busy = ControlResponse.refused("restart", "a restart is already in progress")
        (busy.fence, busy.highestFence) = (5, 5)
        #expect(!busy.isFencedOff && !ControlResponse.refused("restart", "busy").isFencedOff)
    }
}
