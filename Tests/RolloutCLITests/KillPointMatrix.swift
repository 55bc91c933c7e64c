import Foundation
import RolloutTestSupport
import Testing

/// One 2-host cluster (behind a real HAProxy for `drain`) on which the kill points run one after another: each
/// case deploys the next version (v2, v3, ...) under a small load, SIGKILLs the controller at its point, runs
/// `rollout resume` and checks the outcome (`KillPointMatrix+Checks.swift`).
final class KillPointMatrix {
    enum Strategy: String, CustomStringConvertible {
        case hot, drain
        var description: String { rawValue }
    }

    let strategy: Strategy
    let fixture: DeployFixture
    let gateway: HAProxyDeployFixture?
    let gates: KillGates
    /// The last version deployed (v1 before the first case).
    private(set) var release = 1
    /// Each case's wall time, for the log.
    private(set) var timings: [(point: String, seconds: Double)] = []

    var hosts: [String] { fixture.cluster.hosts.map(\.name) }

    init(_ strategy: Strategy) throws {
        self.strategy = strategy
        switch strategy {
        case .hot:
            fixture = try DeployFixture(hosts: 2)
            gateway = nil
        case .drain:
            let gateway = try HAProxyDeployFixture(hosts: 2)
            self.gateway = gateway
            fixture = gateway.deploy
        }
        do {
            gates = try KillGates(directory: fixture.project + "/gates")
        } catch {
            if let gateway { gateway.stop() } else { fixture.stop() }
            throw error
        }
        do {
            try writePlaybook()
            try gates.stageRelease(in: fixture)
            let install = try fixture.installAgents()
            guard install.status == 0 else {
                throw TestSupportError("agent install: \(install.stdout)\(install.stderr)")
            }
            let first = try fixture.deploy("v1")
            guard first.status == 0 else { throw TestSupportError("deploy v1: \(first.stdout)\(first.stderr)") }
        } catch {
            stop()
            throw error
        }
    }

    func stop() {
        gates.openAll()
        if let gateway { gateway.stop() } else { fixture.stop() }
    }

    /// `playbooks/demo.yml`: serial 1, the strategy, a gate in every hook, and `extra` (a case's canary or policy).
    func writePlaybook(extra: String = "") throws {
        let phases =
            gateway == nil ? KillPoint.hookablePhases.subtracting(["drain", "undrain"]) : KillPoint.hookablePhases
        let hooks = gates.hooksYAML(phases: phases) + "\n" + extra
        if let gateway {
            try gateway.writePlaybook(extra: hooks)
        } else {
            try DeployFixture.playbook(extra: "serial: 1\n" + hooks, successes: 1).write(
                toFile: fixture.project + "/playbooks/demo.yml", atomically: true, encoding: .utf8)
        }
    }

    /// `rollout plan --output json` of the playbook the phase cases run with.
    func plan() throws -> [String: Any] {
        try writePlaybook()
        return try json(
            try fixture.rollout([
                "plan", "--inventory", "lab", "--playbook", "demo", "--output", "json", "--version", "v",
            ]))
    }

    /// Runs one case; its failures are recorded as issues naming the strategy and the point.
    func run(_ point: KillPoint) {
        let started = ContinuousClock.now
        defer {
            gates.openAll()
            timings.append(("\(point)", (ContinuousClock.now - started).seconds))
        }
        let label = "[\(strategy) \(point)]"
        do {
            try restoreRotation(label)
            let previous = try fixture.currentRelease(hosts[0])
            release += 1
            let version = "v\(release)"
            try writePlaybook(extra: Self.extra(for: point))
            let load = try startLoad()
            var reports: [LoadReport]?
            defer { if reports == nil { _ = load.map { $0.stop() } } }
            let id = try drive(point, version: version, previous: previous, label: label)
            reports = load.map { $0.stop() }
            for report in reports ?? [] {
                #expect(report.failed == 0 && report.succeeded > 0, "\(label) the load: \(report.summary)")
            }
            try expectOutcome(point, rollout: id, version: version, previous: previous, label: label)
        } catch {
            Issue.record(error, "\(label)")
        }
    }

    /// The playbook's additions for a point.
    static func extra(for point: KillPoint) -> String {
        switch point.reach {
        case .bake: "canary:\n  hosts: 1\n  bake: 6s"
        case .rollback, .revert, .failureUndrain: "max_failures: 0\nrollback: all"
        case .canary, .promote: "canary:\n  hosts: 1\n  promote: manual"
        default: ""
        }
    }

    /// Deploys `version`, SIGKILLs the controller at `point` (in `rollout promote` or in a first `rollout resume`
    /// for those points), then runs the final `rollout resume` (`rollout promote` for a resumed manual canary);
    /// returns the rollout's id.
    private func drive(_ point: KillPoint, version: String, previous: String, label: String) throws -> Int {
        let (first, last) = (hosts[0], hosts[hosts.count - 1])
        let deploy = ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", version]
        let id: Int
        var finish = ["resume"]
        switch point.reach {
        case .hook:
            id = try rolloutID(try killAtGate(deploy, point.host, "before-\(point.name)", label))
        case .afterHook:
            id = try rolloutID(try killAtGate(deploy, point.host, "after-\(point.name)", label))
        case .agentStart:
            id = try rolloutID(try killAtGate(deploy, point.host, "start-\(version)", label))
        case .drainWait:
            id = try killInDrainWait(deploy, host: point.host, label)
        case .frozenHost(let hold):
            id = try killFrozen(deploy, host: point.host, phase: point.name, holdAt: hold, label)
        case .bake:
            let run = try DeployBackground(fixture, deploy)
            defer { run.kill() }
            guard run.waitFor({ ($0["message"] as? String ?? "").contains("baking") }) else {
                throw TestSupportError("\(label) the canary never baked: \(run.allEvents) \(run.stderr)")
            }
            try kill(run, label)
            id = try rolloutID(run)
        case .rollback:
            // The first host's new release fails its verify (once); its rollback waits while it starts the previous
            // release again.
            gates.failOnce(first, "start-\(version)")
            id = try rolloutID(try killAtGate(deploy, first, "start-\(previous)", label))
        case .revert:
            // The last host fails and is rolled back; the first host's revert (`rollback: all`) waits in its start.
            gates.failOnce(last, "start-\(version)")
            id = try rolloutID(try killAtGate(deploy, first, "start-\(previous)", label))
        case .failureUndrain:
            // The first host's new release fails its verify (once); it is rolled back, and its restore in HAProxy
            // waits at the gate.
            gates.failOnce(first, "start-\(version)")
            id = try rolloutID(try killAtGate(deploy, first, "before-undrain", label))
        case .canary:
            id = try rolloutID(try killAtGate(deploy, first, "before-verify", label))
            try expectKilled(in: "verify", on: first, rollout: id, label: label)
            let resume = try fixture.rollout(["resume"])
            #expect(resume.status == 0, "\(label) the resume of a manual canary: \(resume.stdout)\(resume.stderr)")
            try expectWaitingForPromotion(rollout: id, label: label)
            finish = ["promote"]
        case .promote:
            let canary = try DeployBackground(fixture, deploy)
            #expect(canary.wait() == 0, "\(label) the manual canary's deploy: \(canary.stderr)")
            id = try rolloutID(canary)
            try expectWaitingForPromotion(rollout: id, label: label)
            _ = try killAtGate(["promote"], last, "before-switch", label)
        case .resume:
            id = try rolloutID(try killAtGate(deploy, first, "before-switch", label))
            try expectKilled(in: "switch", on: first, rollout: id, label: label)
            _ = try killAtGate(["resume"], last, "before-verify", label)
        }
        if point.reach != .canary {
            try expectKilled(in: Self.phaseKilled(point), on: point.host, rollout: id, label: label)
        }
        // As the SRE paged for it would: `rollout resume` (or `promote`) without an id finishes the cut rollout.
        let final = try fixture.rollout(finish)
        let code: Int32 = point.expectedStatus == "succeeded" ? 0 : 1
        #expect(final.status == code, "\(label) rollout \(finish[0]): \(final.stdout)\(final.stderr)")
        return id
    }

    /// The phase the controller was in when it died at `point` (nil: not in a host's phase, the bake).
    static func phaseKilled(_ point: KillPoint) -> String? {
        switch point.reach {
        case .bake: nil
        case .rollback, .revert: "rollback"
        case .canary: "verify"
        case .promote: "switch"
        case .resume: "verify"
        default: point.name
        }
    }

    /// Starts `rollout ARGS --output json`, waits until it waits at `host`'s gate `gate`, SIGKILLs it and opens
    /// the gate.
    @discardableResult
    private func killAtGate(_ arguments: [String], _ host: String, _ gate: String, _ label: String) throws
        -> DeployBackground
    {
        gates.arm(host, gate)
        let run = try DeployBackground(fixture, arguments)
        defer { gates.open(host, gate) }
        guard gates.waitReached(host, gate, gaveUp: { !run.process.isRunning }) else {
            run.kill()
            _ = run.wait()
            throw TestSupportError(
                "`rollout \(arguments.joined(separator: " "))` never reached \(host)'s gate \(gate): "
                    + "\(run.allEvents.suffix(5)) \(run.stderr)")
        }
        try kill(run, label)
        return run
    }

    /// Holds a `/slow` request on `host` through HAProxy, lets the controller drain it and SIGKILLs the controller
    /// while it waits for the host's connections to reach 0.
    private func killInDrainWait(_ deploy: [String], host: String, _ label: String) throws -> Int {
        let gateway = try #require(gateway, "a drain wait needs the HAProxy")
        gates.arm(host, "before-drain")
        let run = try DeployBackground(fixture, deploy)
        defer { run.kill() }
        guard gates.waitReached(host, "before-drain", gaveUp: { !run.process.isRunning }) else {
            throw TestSupportError("the deploy never reached \(host)'s drain: \(run.stderr)")
        }
        let held = try HeldRequest(through: gateway.haproxy, server: host, milliseconds: 5000)
        gates.open(host, "before-drain")
        let deadline = ContinuousClock.now + .seconds(30)
        while (try gateway.serverStates()[host]?.admin ?? 0) & 8 == 0 {
            guard ContinuousClock.now < deadline, run.process.isRunning else {
                throw TestSupportError("\(host) was never drained in HAProxy: \(gateway.statesText) \(run.stderr)")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let stillHeld = held.isUnanswered
        try kill(run, label)
        guard stillHeld else { throw TestSupportError("the held request on \(host) ended before the SIGKILL") }
        return try rolloutID(run)
    }

    /// Freezes `host`'s sshd sessions while the controller waits in the `after_` hook of `holdAt`, then SIGKILLs
    /// the controller once `phase` has begun on `host` (its first command on the host cannot answer).
    private func killFrozen(
        _ deploy: [String], host: String, phase: String, holdAt: KillPoint.Step, _ label: String
    ) throws -> Int {
        let gate = "after-\(holdAt.phase)"
        gates.arm(holdAt.host, gate)
        let run = try DeployBackground(fixture, deploy)
        defer { run.kill() }
        guard gates.waitReached(holdAt.host, gate, gaveUp: { !run.process.isRunning }) else {
            throw TestSupportError("the deploy never reached \(holdAt)'s gate \(gate): \(run.stderr)")
        }
        let frozen = try FrozenSessions(try fixture.cluster.host(host))
        defer { frozen.thaw() }
        gates.open(holdAt.host, gate)
        guard run.waitForPhase(phase, host: host) else {
            throw TestSupportError("\(phase) never began on \(host): \(run.allEvents.suffix(5)) \(run.stderr)")
        }
        try kill(run, label)
        return try rolloutID(run)
    }

    /// SIGKILLs `run` where it stands, after checking that the clients' hosts still answer there.
    private func kill(_ run: DeployBackground, _ label: String) throws {
        try expectServing(label: label)
        run.kill()
        _ = run.wait()
    }

    private func rolloutID(_ run: DeployBackground) throws -> Int {
        let started = run.allEvents.first { $0["event"] as? String == "rollout_started" }
        return try #require(started?["id"] as? Int, "no rollout_started event: \(run.allEvents) \(run.stderr)")
    }

    /// A small load on the services: on each host's port (`hot`), or through HAProxy (`drain`); 200 requests/s.
    private func startLoad() throws -> [LoadGenerator.Handle] {
        let targets: [Int]
        if let gateway, case .loopback(_, let port) = gateway.haproxy.frontend {
            targets = [port]
        } else {
            targets = Array(fixture.ports.values)
        }
        let handles = try targets.map {
            try LoadGenerator.start(
                .init(port: $0, concurrency: 2, duration: .seconds(600), rate: 200 / targets.count))
        }
        for handle in handles where !handle.waitForSucceeded(10, timeout: .seconds(10)) {
            throw TestSupportError("the load does not get answers before the case starts")
        }
        return handles
    }

    /// A case that failed may leave a host drained: put every host back in rotation (and say so), so that the
    /// next case starts from a fleet in service.
    private func restoreRotation(_ label: String) throws {
        guard let gateway, try !gateway.allReady() else { return }
        print("\(label) starting from \(gateway.statesText): setting every server ready first")
        for host in hosts { _ = try gateway.haproxy.adminCommand("set server web/\(host) state ready") }
    }
}

extension DeployFixture {
    /// The release `<root>/srv/current` of `host` points to.
    func currentRelease(_ host: String) throws -> String {
        let link = try FileManager.default.destinationOfSymbolicLink(
            atPath: try cluster.host(host).rootDirectory + "/srv/current")
        return (link as NSString).lastPathComponent
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
