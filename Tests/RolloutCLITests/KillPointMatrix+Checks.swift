import Foundation
import RolloutTestSupport
import Testing

extension KillPointMatrix {
    /// Right after a SIGKILL: the journal shows the rollout unfinished and, when the controller died inside a
    /// host's phase, that phase still `running` (the kill landed where the case meant it to).
    func expectKilled(in phase: String?, on host: String, rollout id: Int, label: String) throws {
        let detail = try json(try fixture.rollout(["show", "\(id)", "--output", "json"]))
        #expect(detail["status"] as? String == "running", "\(label) the killed rollout is unfinished in the journal")
        guard let phase else { return }
        let phases = try hostsByName(detail)[host]?["phases"] as? [[String: Any]] ?? []
        #expect(
            phases.last { $0["name"] as? String == phase }?["status"] as? String == "running",
            "\(label) the SIGKILL landed in \(host)'s \(phase): \(Self.summary(phases))")
    }

    /// At a kill point, with the controller still alive: every host clients can reach (`hot`: every host; `drain`:
    /// every host in rotation in HAProxy) answers on its port within 2 s, whatever the rollout is doing to it.
    func expectServing(label: String) throws {
        let states = try gateway?.serverStates()
        for host in hosts where states == nil || states?[host]?.admin == 0 {
            let port = try #require(fixture.ports[host])
            let answer = try? HTTPTestClient.get(.loopback(host: "127.0.0.1", port: port), "/", timeout: .seconds(2))
            let haproxy = gateway?.statesText ?? "none"
            #expect(
                answer?.status == 200,
                "\(label) \(host) takes requests but does not answer within 2 s; HAProxy: \(haproxy)")
        }
    }

    /// A manual canary whose canary batch is done: the rollout stops at the gate (`running`, a `canary.waiting`
    /// event, the other host still `pending` and untouched, nothing drained). After a canary killed before it was
    /// verified, only the resume can have journaled that event.
    func expectWaitingForPromotion(rollout id: Int, label: String) throws {
        let detail = try json(try fixture.rollout(["show", "\(id)", "--output", "json"]))
        #expect(
            detail["status"] as? String == "running",
            "\(label) the rollout waits for `rollout promote`, it is \(detail["status"] ?? "?")")
        let last = hosts[hosts.count - 1]
        let status = try hostsByName(detail)[last]?["status"] as? String
        #expect(status == "pending", "\(label) \(last) waits for the promotion, it is \(status ?? "?")")
        let kinds = (detail["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(kinds.contains("canary.waiting"), "\(label) the journal says it waits (canary.waiting): \(kinds)")
        let problems = try fixture.disagreements(rollout: id, gateway: gateway)
        #expect(
            problems.isEmpty, "\(label) journal and hosts disagree while waiting:\n\(problems.joined(separator: "\n"))")
    }

    /// After the last resume: the rollout ended as its policy says, every host on the version that outcome means,
    /// journal and hosts agree (no host left drained), the lock is free, and the step the controller died in is
    /// closed `interrupted`.
    func expectOutcome(_ point: KillPoint, rollout id: Int, version: String, previous: String, label: String) throws {
        let detail = try json(try fixture.rollout(["show", "\(id)", "--output", "json"]))
        let expected = point.expectedStatus
        #expect(
            detail["status"] as? String == expected,
            "\(label) the rollout ends \(expected), it is \(detail["status"] ?? "?"): \(detail["error"] ?? "")")
        let journal = try hostsByName(detail)
        let served = fixture.servedVersions()
        let target = expected == "succeeded" ? version : previous
        for host in hosts {
            let phases = Self.summary(journal[host]?["phases"] as? [[String: Any]] ?? [])
            let serving = (served[host] ?? nil) ?? "nothing"
            #expect(
                served[host] == target,
                "\(label) \(host) serves \(serving), expected \(target) (\(expected)); journal: \(phases)")
        }
        let problems = try fixture.disagreements(rollout: id, gateway: gateway)
        #expect(problems.isEmpty, "\(label) journal and hosts disagree:\n\(problems.joined(separator: "\n"))")
        let locks = try json(try fixture.rollout(["lock", "status", "--output", "json"]))["locks"] as? [Any]
        #expect(locks?.isEmpty == true, "\(label) the finished rollout released the lock: \(locks ?? [])")
        let statuses = (detail["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(statuses.contains("rollout.resumed"), "\(label) the journal records the resume: \(statuses)")
        if let phase = Self.phaseKilled(point) {
            let phases = journal[point.host]?["phases"] as? [[String: Any]] ?? []
            #expect(
                phases.contains { $0["name"] as? String == phase && $0["status"] as? String == "interrupted" },
                "\(label) the step in flight is closed as interrupted: \(Self.summary(phases))")
        }
        if point.reach == .bake {
            // The controller died during the bake: the resumed rollout bakes the canary (again) before the rest.
            let canary = journal[point.host]?["phases"] as? [[String: Any]] ?? []
            let bake = canary.last { $0["name"] as? String == "bake" }
            #expect(
                bake?["status"] as? String == "ok",
                "\(label) the resumed rollout bakes and re-checks the canary: \(Self.summary(canary))")
            let rest = hosts.filter { $0 != point.host }.compactMap {
                (journal[$0]?["phases"] as? [[String: Any]])?.first { $0["name"] as? String != "inspect" }?[
                    "started_at"]
                    as? String
            }
            if let baked = bake?["finished_at"] as? String {
                #expect(rest.allSatisfy { $0 >= baked }, "\(label) the other hosts start after the bake: \(rest)")
            }
        }
    }

    /// `name:status` of each phase, for failure messages.
    static func summary(_ phases: [[String: Any]]) -> String {
        phases.map { "\($0["name"] as? String ?? "?"):\($0["status"] as? String ?? "?")" }.joined(separator: " ")
    }
}
