import Foundation
import RolloutTestSupport
import Testing

/// The lock's identity (one fleet, one lock, whatever the spelling) and its lease (a live holder keeps it; a lost
/// lease stops the rollout), against real hosts and a real drain gateway.
@Suite("rollout deploy: lock identity and lease", .serialized)
struct DeployLockTests {
    func deploy(_ fixture: DeployFixture, _ inventory: String, _ version: String, _ extra: [String] = []) throws
        -> DeployBackground
    {
        try DeployBackground(
            fixture, ["deploy", "--inventory", inventory, "--playbook", "demo", "--version", version] + extra)
    }

    /// Waits until one of `runs` has exited; returns its index.
    func firstToExit(_ runs: [DeployBackground], timeout: Duration = .seconds(60)) -> Int? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let index = runs.firstIndex(where: { !$0.process.isRunning }) { return index }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    @Test("two spellings of one inventory race: exactly one runs, the other exits 5; history and rollback agree")
    func spellingsShareOneLock() throws {
        let gated = try GatedDrainFixture(hosts: 2)
        defer { gated.stop() }
        let fixture = gated.deploy
        #expect(try fixture.installAgents().status == 0)
        let absolute = fixture.project + "/inventories/lab.yml"
        // The winner waits in h1's drain until the race is judged.
        try gated.setConnections("h1", 1)
        let runs = [try deploy(fixture, "lab", "v1"), try deploy(fixture, absolute, "v1")]
        defer { for run in runs { run.kill() } }
        let loser = try #require(firstToExit(runs), "one of the two deploys must be refused at once")
        let winner = runs[1 - loser]
        #expect(runs[loser].wait() == 5, "\(runs[loser].stderr)")
        #expect(runs[loser].stderr.contains("pid \(winner.process.processIdentifier)"), "names the holder")
        #expect(winner.process.isRunning)
        let status = try json(
            try fixture.rollout(["lock", "status", "--inventory", "./inventories/lab.yml", "--output", "json"]))
        let locks = status["locks"] as? [[String: Any]] ?? []
        #expect(locks.count == 1)
        let key = locks.first?["inventory"] as? String ?? ""
        #expect(key.hasPrefix("/") && key.hasSuffix("/inventories/lab.yml"), "the canonical path: \(key)")
        try gated.setConnections("h1", 0)
        #expect(winner.wait() == 0, "\(winner.stderr)")
        #expect(gated.gatewayLog == ["drain h1", "restore h1", "drain h2", "restore h2"])

        // v2 under yet another spelling; history and the rollback target are the same for every spelling.
        let v2 = try fixture.rollout([
            "deploy", "--inventory", "./inventories/lab.yml", "--playbook", "demo", "--version", "v2",
        ])
        #expect(v2.status == 0, "\(v2.stdout)\(v2.stderr)")
        for spelling in ["lab", "./inventories/lab.yml", absolute] {
            let history = try json(try fixture.rollout(["history", "--inventory", spelling, "--output", "json"]))
            let versions = (history["rollouts"] as? [[String: Any]] ?? []).compactMap { $0["version"] as? String }
            #expect(versions == ["v2", "v1"], "history --inventory \(spelling): \(versions)")
        }
        let back = try fixture.rollout(["rollback", "--inventory", absolute, "--playbook", "demo"])
        #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.servedVersions())")
        #expect(gated.everyHostInRotation)
    }

    @Test("a SIGSTOPped holder whose lease expired keeps its lock (exit 5), and finishes when continued")
    func stoppedHolderIsNotTakenOver() throws {
        let gated = try GatedDrainFixture(hosts: 2)
        defer { gated.stop() }
        let fixture = gated.deploy
        #expect(try fixture.installAgents().status == 0)
        try gated.setConnections("h1", 1)
        let first = try deploy(fixture, "lab", "v1", ["--lock-lease", "2s"])
        defer { first.kill() }
        // The drain command itself ran (its phase begins before it runs; stopping in between leaves no log line).
        #expect(gated.waitForLog("drain h1"))
        first.kill(SIGSTOP)
        // Well past the lease: it expired three times over, unrenewed.
        Thread.sleep(forTimeInterval: 6)
        let status = try json(try fixture.rollout(["lock", "status", "--output", "json"]))
        #expect((status["locks"] as? [[String: Any]])?.first?["state"] as? String == "expired_alive", "\(status)")
        let second = try fixture.deploy("v1", ["--lock-lease", "2s"])
        #expect(second.status == 5, "\(second.stdout)\(second.stderr)")
        #expect(second.stderr.contains("pid \(first.process.processIdentifier)"), "names the holder: \(second.stderr)")
        #expect(gated.gatewayLog == ["drain h1"], "the second deploy touched nothing")

        first.kill(SIGCONT)
        try gated.setConnections("h1", 0)
        #expect(first.wait() == 0, "\(first.stderr)")
        #expect(try gated.show(1)["status"] as? String == "succeeded")
        #expect(gated.gatewayLog == ["drain h1", "restore h1", "drain h2", "restore h2"])
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" })
    }

    @Test("a lease lost while running (force release, another deploy takes the lock) stops the rollout: exit 7")
    func lostLeaseStopsTheRollout() throws {
        let gated = try GatedDrainFixture(hosts: 2)
        defer { gated.stop() }
        let fixture = gated.deploy
        #expect(try fixture.installAgents().status == 0)
        #expect(try fixture.deploy("v1").status == 0)
        gated.clearLog()

        // Rollout 2 waits in h1's drain (connections stay at 1) when its lock is taken from it.
        try gated.setConnections("h1", 1)
        let first = try deploy(fixture, "lab", "v2", ["--lock-lease", "3s"])
        defer { first.kill() }
        #expect(first.waitForPhase("drain", host: "h1"))
        let release = try fixture.rollout(["lock", "release", "--inventory", "./inventories/lab.yml", "--force"])
        #expect(release.status == 0 && release.stdout.contains("Released"), "\(release.stdout)\(release.stderr)")

        // Well under h1's two-minute drain deadline: the lost lease cut the wait (its next renewal found the lock
        // gone), and the journal says so before anyone else acts.
        #expect(first.wait(timeout: .seconds(45)) == 7, "\(first.stderr)")
        let finished = first.allEvents.last { $0["event"] as? String == "rollout_finished" }
        #expect(finished?["status"] as? String == "aborted" && finished?["exit_code"] as? Int == 7)
        let error = finished?["error"] as? String ?? ""
        #expect(error.hasPrefix("lock lost"), "\(error)")
        #expect(try gated.show(2)["status"] as? String == "aborted")

        // The controller that took the lock deploys; the aborted rollout it finds unfinished is superseded. (Started
        // while rollout 2 was still stopping, the same deploy would supersede it first, and which label the journal
        // kept would depend on who wrote last: so this one starts after.)
        let second = try fixture.deploy("v2", ["--limit", "h2", "--lock-lease", "3s"])
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        let detail = try gated.show(2)
        #expect(detail["status"] as? String == "superseded")
        let events = (detail["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(events.contains("lock.lost") && events.contains("rollout.superseded"), "\(events)")
        let hosts = try hostsByName(detail)
        let h1 = (hosts["h1"]?["phases"] as? [[String: Any]] ?? []).map {
            "\($0["name"] as? String ?? "") \($0["status"] as? String ?? "")"
        }
        #expect(h1.contains("drain interrupted") && h1.last == "undrain ok", "\(h1)")
        #expect(!h1.contains { $0.hasPrefix("switch") }, "no step after the loss: \(h1)")
        let drain = (hosts["h1"]?["phases"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "drain" }
        #expect((drain?["error"] as? String ?? "").contains("the lock was lost"), "\(drain ?? [:])")
        #expect(hosts["h2"]?["status"] as? String == "skipped")
        #expect(gated.everyHostInRotation, "\(gated.gatewayLog)")
        #expect(fixture.servedVersions() == ["h1": "v1", "h2": "v2"])
    }
}
