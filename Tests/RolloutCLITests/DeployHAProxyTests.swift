import Foundation
import RolloutTestSupport
import Testing

/// `rollout deploy` with `strategy: drain` through a real HAProxy (Debian's) on 127.0.0.1 in front of the demo
/// services of real sshd hosts, each supervised by its agent: under load, with a failing release, with an HAProxy
/// reload in the middle, and with the controller SIGKILLed while a host is drained.
@Suite("rollout deploy: drain through a real HAProxy", .serialized)
struct DeployHAProxyTests {
    @Test("4 hosts, load with /slow requests, cold restarts: 0 failed, every host on v2 and ready, counts from HAProxy")
    func drainRolloutUnderLoad() throws {
        let fixture = try HAProxyDeployFixture(hosts: 4)
        defer { fixture.stop() }
        try fixture.writePlaybook()
        try fixture.deploy.stageDemoService()
        #expect(try fixture.deploy.installAgents().status == 0)
        let v1 = try fixture.deploy.deploy("v1")
        #expect(v1.status == 0, "\(v1.stdout)\(v1.stderr)")

        // Through HAProxy's frontend, a tenth of the requests held 2 s by the service: a drained host still has
        // sessions when it is taken out, and must not be restarted before HAProxy counts none.
        guard case .loopback(_, let port) = fixture.haproxy.frontend else { throw TestSupportError("no port") }
        let load = try LoadGenerator.start(
            .init(
                port: port, concurrency: 8, duration: .seconds(300), requestTimeout: .seconds(20), slowShare: 0.1,
                slowMilliseconds: 2000, rate: 200))
        var loadStopped = false
        defer { if !loadStopped { _ = load.stop() } }
        // HAProxy's own counts, read on its TCP admin socket beside rollout's driver.
        let sampler = HAProxySessionSampler(address: fixture.haproxy.adminAddress, backend: "web")
        var samplerStopped = false
        defer { if !samplerStopped { _ = sampler.stop() } }
        Thread.sleep(forTimeInterval: 1)
        let v2 = try fixture.deploy.deploy("v2")
        // Requests keep flowing until each host has answered v2 through HAProxy.
        Thread.sleep(forTimeInterval: 1)
        let report = load.stop()
        loadStopped = true
        let samples = sampler.stop()
        samplerStopped = true

        #expect(v2.status == 0, "\(v2.stdout)\(v2.stderr)")
        #expect(report.failed == 0, "\(report.summary)")
        #expect(report.succeeded > 100, "\(report.summary)")
        #expect((report.versionsSeen["v1"] ?? 0) > 0 && (report.versionsSeen["v2"] ?? 0) > 0, "\(report.summary)")
        #expect(fixture.deploy.servedVersions().values.allSatisfy { $0 == "v2" }, "\(fixture.deploy.servedVersions())")
        let states = try fixture.serverStates()
        for host in fixture.deploy.cluster.hosts {
            #expect(states[host.name]?.admin == 0, "\(host.name) ready in HAProxy: \(states)")
            #expect(states[host.name]?.op == 2, "\(host.name) running in HAProxy: \(states)")
        }

        // The journal keeps what HAProxy said: draining with its session count right after the drain, 0 sessions
        // before the restart, and in rotation after the restore.
        var busyAtDrain = 0
        for host in fixture.deploy.cluster.hosts {
            let phases = try fixture.phases(rollout: 2, host: host.name)
            let drain = try #require(phases.detail(of: "drain"), "\(host.name): \(phases)")
            let drained = try #require(drain["gateway"] as? [String: Any])
            #expect(drained["state"] as? String == "draining")
            #expect((drained["detail"] as? String ?? "").contains("admin=drain"), "\(drained)")
            let atDrain = try #require(drained["connections"] as? Int, "HAProxy's scur: \(drained)")
            if atDrain > 0 { busyAtDrain += 1 }
            let wait = try #require(drain["wait"] as? [String: Any])
            #expect(wait["drained"] as? Bool == true, "\(host.name): \(wait)")
            #expect(wait["connections"] as? Int == 0, "\(host.name) restarted only with 0 sessions: \(wait)")
            if atDrain > 0 { #expect((wait["polls"] as? Int ?? 0) >= 2, "\(host.name) waited: \(wait)") }
            let recheck = phases.detail(of: "restart")?["gateway_recheck"] as? [String: Any]
            #expect((recheck?["found"] as? [String: Any])?["state"] as? String == "draining")
            try expectColdRestart(phases, host: host.name)
            let undrain = try #require(phases.detail(of: "undrain"), "\(host.name): \(phases)")
            #expect((undrain["gateway"] as? [String: Any])?["state"] as? String == "in_rotation")
            #expect((undrain["gateway_recheck"] as? [String: Any])?["reapplied"] as? Bool == false)
        }
        #expect(busyAtDrain >= 1, "at least one host had /slow sessions when it was drained")

        // Against HAProxy's own stats: from the end of each host's drain wait until it was put back (its restart
        // included), HAProxy counted no session on it; while it drained, HAProxy saw what the journal recorded.
        let times = ISO8601DateFormatter()
        times.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var sawSessionsWhileDraining = false
        for host in fixture.deploy.cluster.hosts {
            let phases = try fixture.phases(rollout: 2, host: host.name)
            func time(_ phase: String, _ key: String) throws -> Date {
                let text = phases.last { $0["name"] as? String == phase }?[key] as? String ?? ""
                return try #require(times.date(from: text), "\(host.name) \(phase).\(key): \(text)")
            }
            let drainStart = try time("drain", "started_at")
            let drained = try time("drain", "finished_at")
            let restart = try time("restart", "started_at")
            let undrain = try time("undrain", "started_at")
            #expect(drained <= restart && restart < undrain)
            let out = samples.filter { $0.at > drained && $0.at < undrain }
            #expect(!out.isEmpty, "\(host.name): HAProxy was read between the drain and the undrain")
            #expect(
                out.allSatisfy { $0.sessions[host.name] == 0 },
                "\(host.name): HAProxy's scur while out of rotation: \(out.map { $0.sessions[host.name] ?? -1 })")
            if samples.contains(where: { $0.at >= drainStart && $0.at <= drained && ($0.sessions[host.name] ?? 0) > 0 })
            {
                sawSessionsWhileDraining = true
            }
        }
        #expect(sawSessionsWhileDraining, "HAProxy counted /slow sessions on a host while it drained")
    }

    @Test("a release that fails its health check under drain is rolled back and restored in HAProxy; exit 1")
    func failedHealthIsRolledBackAndRestored() throws {
        let fixture = try HAProxyDeployFixture(hosts: 2)
        defer { fixture.stop() }
        // The admin socket over SSH, through the relay on h2.
        try fixture.writePlaybook(gatewayOn: "h2")
        try fixture.deploy.stageDemoService()
        #expect(try fixture.deploy.installAgents().status == 0)
        #expect(try fixture.deploy.deploy("v1").status == 0)

        // v2 starts and is ready, but serves another version than the one deployed: its health check fails.
        let artifact = fixture.deploy.project + "/artifact/rollout-demo-service"
        try FileManager.default.removeItem(atPath: artifact)
        try "#!/bin/sh\nexec \(try BuiltProducts.executable("rollout-demo-service")) --version-string broken\n".write(
            toFile: artifact, atomically: true, encoding: .utf8)
        chmod(artifact, 0o755)
        guard case .loopback(_, let port) = fixture.haproxy.frontend else { throw TestSupportError("no port") }
        let load = try LoadGenerator.start(.init(port: port, concurrency: 2, duration: .seconds(300), rate: 100))
        var loadStopped = false
        defer { if !loadStopped { _ = load.stop() } }
        let bad = try fixture.deploy.deploy("v2")
        let report = load.stop()
        loadStopped = true

        #expect(bad.status == 1, "README: failed and rolled back, no host left on the new version\n\(bad.stdout)")
        #expect(report.failed == 0, "\(report.summary)")
        #expect(report.versionsSeen["broken"] == nil, "the drained host's bad release got no traffic")
        #expect(fixture.deploy.servedVersions().values.allSatisfy { $0 == "v1" })
        #expect(try fixture.allReady(), "\(fixture.statesText)")
        let detail = try json(try fixture.deploy.rollout(["show", "2", "--output", "json"]))
        let hosts = try hostsByName(detail)
        #expect(hosts["h1"]?["status"] as? String == "rolled_back")
        #expect(hosts["h2"]?["status"] as? String == "skipped", "never drained")
        let phases = try fixture.phases(rollout: 2, host: "h1")
        #expect(
            phases.compactMap { $0["name"] as? String }
                == ["prepare", "upload", "drain", "switch", "restart", "verify", "rollback", "undrain"])
        // The rollback restarts the still drained host cold as well, back on v1.
        let rollback = try #require(phases.detail(of: "rollback")?["restart"] as? [String: Any], "\(phases)")
        #expect(rollback["mode"] as? String == "cold" && rollback["version"] as? String == "v1", "\(rollback)")
        #expect(rollback["outcome"] as? String == "ok", "\(rollback)")
        #expect((phases.detail(of: "undrain")?["gateway"] as? [String: Any])?["state"] as? String == "in_rotation")
    }

    @Test("HAProxy reloaded between the drain and the restart: the re-check drains again; every host ends ready")
    func haproxyReloadDuringTheRollout() throws {
        let fixture = try HAProxyDeployFixture(hosts: 2)
        defer { fixture.stop() }
        let dir = fixture.scratch
        // h1 stops just before its restart until the test has reloaded HAProxy; h2 goes straight through.
        let hook =
            "if [ {{ host.name }} = h1 ]; then touch \(dir)/at-restart; "
            + "while [ ! -f \(dir)/reloaded ]; do sleep 0.1; done; fi"
        try fixture.writePlaybook(extra: "hooks:\n  before_restart: [{run: \"\(hook)\", on: controller}]")
        try fixture.deploy.stageDemoService()
        #expect(try fixture.deploy.installAgents().status == 0)

        let run = try DeployBackground(
            fixture.deploy, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v1"])
        defer { run.kill() }
        try waitForFile(dir + "/at-restart")
        #expect(try fixture.serverStates()["h1"]?.admin == 8, "drained before the reload")
        try fixture.haproxy.reload()
        #expect(try fixture.serverStates()["h1"]?.admin == 0, "the reload returned h1 to its configured state")
        _ = FileManager.default.createFile(atPath: dir + "/reloaded", contents: nil)
        #expect(run.wait() == 0, "\(run.stderr)")

        let restart = try #require(try fixture.phases(rollout: 1, host: "h1").detail(of: "restart"))
        let recheck = try #require(restart["gateway_recheck"] as? [String: Any])
        #expect((recheck["found"] as? [String: Any])?["state"] as? String == "in_rotation", "\(recheck)")
        #expect((recheck["status"] as? [String: Any])?["state"] as? String == "draining")
        #expect(recheck["reapplied"] as? Bool == true)
        #expect((restart["gateway_recheck_wait"] as? [String: Any])?["drained"] as? Bool == true)
        #expect(try fixture.allReady(), "\(fixture.statesText)")
        #expect(fixture.deploy.servedVersions().values.allSatisfy { $0 == "v1" })
    }

    @Test("controller SIGKILLed while a host is drained: HAProxy keeps it drained; rollout resume restores it")
    func killedWhileDrainedThenResume() throws {
        let fixture = try HAProxyDeployFixture(hosts: 2)
        defer { fixture.stop() }
        // The first time h1 reaches its restart the hook holds it there (drained): the controller is killed there.
        try fixture.writePlaybook(gatewayOn: "h2", extra: fixture.holdingHook())
        try fixture.deploy.stageDemoService()
        #expect(try fixture.deploy.installAgents().status == 0)
        try fixture.killWhileHeld(version: "v1")
        #expect(try fixture.serverStates()["h1"]?.admin == 8, "the killed controller left h1 drained")

        let resumed = try fixture.deploy.rollout(["resume", "1"])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(try fixture.allReady(), "\(fixture.statesText)")
        #expect(fixture.deploy.servedVersions().values.allSatisfy { $0 == "v1" })
        let phases = try fixture.phases(rollout: 1, host: "h1")
        let inspect = try #require(phases.detail(of: "inspect"))
        #expect(inspect["drained_in_journal"] as? Bool == true)
        #expect((phases.detail(of: "undrain")?["gateway"] as? [String: Any])?["state"] as? String == "in_rotation")
    }

    /// Waits up to 60 s for `path` to exist.
    /// The agent's answer in the journal's restart phase: a drained host restarted cold, its old generation
    /// stopped on its own (no connection left to wait for) and reaped before the new one was spawned.
    private func expectColdRestart(_ phases: [[String: Any]], host: String) throws {
        let answer = try #require(phases.detail(of: "restart")?["agent"] as? [String: Any], "\(host): \(phases)")
        #expect(answer["outcome"] as? String == "ok", "\(host): \(answer)")
        #expect(answer["mode"] as? String == "cold", "\(host) restarted cold: \(answer)")
        #expect(answer["version"] as? String == "v2", "\(host): \(answer)")
        let oldPid = try #require(answer["old_pid"] as? Int, "\(host): \(answer)")
        let newPid = try #require(answer["new_pid"] as? Int, "\(host): \(answer)")
        #expect(oldPid != newPid)
        let stopped = try #require(answer["old_stop_ms"] as? Int, "\(host): \(answer)")
        let started = try #require(answer["new_start_ms"] as? Int, "\(host): \(answer)")
        #expect(stopped <= started, "\(host): the old pid was gone before the new one started: \(answer)")
        #expect(answer["old_killed"] as? Bool == false, "\(host): nothing held the drained service: \(answer)")
    }

    private func waitForFile(_ path: String) throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !FileManager.default.fileExists(atPath: path) {
            guard ContinuousClock.now < deadline else { throw TestSupportError("\(path) never appeared") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}
