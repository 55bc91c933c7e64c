import Foundation
import RolloutTestSupport
import Testing

/// Config-only rollouts (`strategy: reload`) end to end: real sshd hosts, real agents, the demo service reading
/// `shared/demo.conf`, a real journal.
@Suite("rollout deploy: config-only reload rollouts", .serialized)
struct ReloadCLITests {
    static let template =
        "# rendered for {{ inventory_hostname }}\nmessage = {{ greeting }} from {{ inventory_hostname }}\n"

    @Test("under load every host serves the new text with 0 failed requests and the same pid; journal has checksums")
    func configRolloutUnderLoad() throws {
        let fixture = try DeployFixture(hosts: 3)
        defer { fixture.stop() }
        try fixture.prepareReloadableService()
        #expect(fixture.servedMessages().values.allSatisfy { $0 == "initial" }, "\(fixture.servedMessages())")
        try fixture.writeConfigPlaybook(template: Self.template)

        // `check` renders the templates for every host: an undefined variable is an error at its line.
        #expect(try fixture.rollout(["check", "-i", "lab", "-p", "config"]).status == 0)
        try "message = {{ greting }}\n".write(
            toFile: fixture.project + "/config/demo.conf.tmpl", atomically: true, encoding: .utf8)
        let undefined = try fixture.rollout(["check", "-i", "lab", "-p", "config"])
        #expect(undefined.status == 2)
        #expect(
            undefined.stderr.contains(
                "config/demo.conf.tmpl:1: key `config.files[0].template`: undefined "
                    + "variable `greting`"), "\(undefined.stderr)")
        try fixture.writeConfigPlaybook(template: Self.template)
        let plan = try fixture.rollout(["plan", "-i", "lab", "-p", "config"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("reload-service") && plan.stdout.contains("--check-config"), "\(plan.stdout)")

        let pids = try fixture.servingPIDs()
        let loads = try fixture.ports.values.map {
            try LoadGenerator.start(.init(port: $0, concurrency: 4, duration: .seconds(300), rate: 200))
        }
        for load in loads { #expect(load.waitForSucceeded(20, timeout: .seconds(10))) }
        let result = try fixture.deployConfig()
        for load in loads { #expect(load.waitForSucceeded(load.progress.succeeded + 20, timeout: .seconds(20))) }
        let reports = loads.map { $0.stop() }
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        for report in reports {
            print("config rollout under load: \(report.summary)")
            #expect(report.failed == 0, "\(report.summary)")
            #expect(report.pidsSeen.count == 1, "one process served throughout: \(report.pidsSeen)")
        }
        #expect(try fixture.servingPIDs() == pids, "no restart")
        let served = fixture.servedMessages()
        for host in fixture.cluster.hosts { #expect(served[host.name] == "hello from \(host.name)", "\(served)") }

        // History: a config-only rollout that changed no release; show has each file's checksum per host.
        let history = try json(try fixture.rollout(["history", "--output", "json"]))
        let latest = try #require((history["rollouts"] as? [[String: Any]])?.first)
        #expect(latest["version"] as? String == "v1")
        #expect(latest["previous_version"] as? String == "v1")
        #expect((latest["strategy"] as? String)?.hasPrefix("config only (reload)") == true, "\(latest)")
        let id = try #require(latest["id"] as? Int)
        let detail = try json(try fixture.rollout(["show", "\(id)", "--output", "json"]))
        let sums = try fixture.liveConfigSHA256()
        for (name, host) in try hostsByName(detail) {
            #expect(host["strategy"] as? String == "reload")
            #expect(host["status"] as? String == "succeeded")
            #expect(host["to_version"] as? String == "v1")
            let phases = (host["phases"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(phases == ["prepare", "upload", "validate", "switch", "reload", "verify"], "\(phases)")
            let reload = (host["phases"] as? [[String: Any]])?.first { $0["name"] as? String == "reload" }
            let answer = (reload?["detail"] as? [String: Any])?["agent"] as? [String: Any]
            #expect(answer?["outcome"] as? String == "ok", "the agent's answer is journaled: \(reload ?? [:])")
            print(
                "\(name): reload phase \(reload?["duration_ms"] ?? "?") ms, agent reload_ms \(answer?["reload_ms"] ?? "?")"
            )
            let files = try #require(host["files"] as? [[String: Any]])
            #expect(files.count == 1)
            #expect(files.first?["sha256"] as? String == sums[name], "the journal's checksum is the live file's")
            #expect((files.first?["path"] as? String)?.hasSuffix("/srv/shared/demo.conf") == true)
            #expect(files.first?["previous_sha256"] as? String != nil)
            #expect(files.first?["restored_at"] is NSNull)
        }
        let text = try fixture.rollout(["show", "\(id)"])
        #expect(text.stdout.contains(sums.values.first ?? "?"), "\(text.stdout)")

        // "What configuration was live on h2 then?" from the journal alone.
        let live = try json(try fixture.rollout(["live-config", "h2", "--output", "json"]))
        let liveFiles = try #require(live["files"] as? [[String: Any]])
        #expect(liveFiles.map { $0["sha256"] as? String } == [sums["h2"]], "\(live)")
        #expect(liveFiles.first?["rollout_id"] as? Int == id)
        let before = try json(
            try fixture.rollout(["live-config", "h2", "--at", "2000-01-01 00:00", "--output", "json"]))
        #expect((before["files"] as? [Any])?.isEmpty == true, "nothing was journaled as live back then")
    }

    @Test("a config that fails validation is refused on the first host; nothing changes anywhere (exit 1)")
    func validationRefusesOnTheFirstHost() throws {
        let fixture = try DeployFixture(hosts: 3)
        defer { fixture.stop() }
        try fixture.prepareReloadableService()
        try fixture.writeConfigPlaybook(template: "mesage = {{ greeting }}\n")
        let before = fixture.liveConfigFiles()
        let pids = try fixture.servingPIDs()
        let result = try fixture.deployConfig()
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(fixture.liveConfigFiles() == before, "no host's file changed")
        #expect(fixture.servedMessages().values.allSatisfy { $0 == "initial" })
        #expect(try fixture.servingPIDs() == pids)
        for host in fixture.cluster.hosts {
            let shared = try FileManager.default.contentsOfDirectory(atPath: host.rootDirectory + "/srv/shared")
            #expect(!shared.contains { $0.hasSuffix(".rollout-new") }, "the upload was removed: \(shared)")
        }
        let detail = try json(try fixture.rollout(["show", "2", "--output", "json"]))
        let hosts = try hostsByName(detail)
        let first = try #require(hosts["h1"])
        #expect(first["status"] as? String == "failed")
        #expect((first["error"] as? String)?.contains("validation-failed") == true, "\(first)")
        #expect((first["error"] as? String)?.contains("unknown key `mesage`") == true, "\(first)")
        #expect((first["files"] as? [Any])?.isEmpty == true, "nothing went live")
        let phases = (first["phases"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(phases == ["prepare", "upload", "validate"], "\(phases)")
        #expect(hosts["h2"]?["status"] as? String == "skipped")
        #expect(hosts["h3"]?["status"] as? String == "skipped")
    }

    @Test("a config the service rejects at reload is rolled back: the old file and the old text are back (exit 1)")
    func rejectedReloadIsRolledBack() throws {
        let fixture = try DeployFixture(hosts: 2)
        defer { fixture.stop() }
        try fixture.prepareReloadableService()
        // No validation command: the file reaches the service, which rejects the unknown key at reload.
        try fixture.writeConfigPlaybook(
            template: "message = {{ greeting }} from {{ inventory_hostname }}\ncolour = blue\n", validate: nil)
        let before = fixture.liveConfigFiles()
        let pids = try fixture.servingPIDs()
        let result = try fixture.deployConfig()
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(fixture.liveConfigFiles() == before, "the previous file is back")
        #expect(fixture.servedMessages().values.allSatisfy { $0 == "initial" }, "\(fixture.servedMessages())")
        #expect(try fixture.servingPIDs() == pids)
        let detail = try json(try fixture.rollout(["show", "2", "--output", "json"]))
        #expect(detail["status"] as? String == "rolled_back")
        let first = try #require(try hostsByName(detail)["h1"])
        #expect(first["status"] as? String == "rolled_back")
        #expect((first["error"] as? String)?.contains("rejected the new configuration") == true, "\(first)")
        let phases = (first["phases"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(phases == ["prepare", "upload", "switch", "reload", "rollback"], "\(phases)")
        let files = try #require(first["files"] as? [[String: Any]])
        #expect(files.first?["restored_at"] as? String != nil, "the journal knows the file is no longer live")
        #expect(try hostsByName(detail)["h2"]?["status"] as? String == "skipped")
    }

    @Test("rollback: all — a later host refuses its file, the host already reloaded gets its old file back")
    func rollbackAllRestoresEarlierHosts() throws {
        let fixture = try DeployFixture(hosts: 2)
        defer { fixture.stop() }
        try fixture.prepareReloadableService()
        // h2's rendering carries a line the service does not know: its validation refuses it.
        try fixture.writeConfigPlaybook(
            template: "message = {{ greeting }} from {{ inventory_hostname }}\n{{ extra_line }}\n",
            vars: "extra_line: \"# ok\"",
            extra: "rollback: all\noverrides:\n  h2:\n    vars: {extra_line: \"colour = red\"}")
        let before = fixture.liveConfigFiles()
        let pids = try fixture.servingPIDs()
        let result = try fixture.deployConfig()
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(fixture.liveConfigFiles() == before, "both hosts are back on their old file")
        #expect(fixture.servedMessages().values.allSatisfy { $0 == "initial" }, "\(fixture.servedMessages())")
        #expect(try fixture.servingPIDs() == pids)
        let hosts = try hostsByName(try json(try fixture.rollout(["show", "2", "--output", "json"])))
        #expect(hosts["h1"]?["status"] as? String == "rolled_back", "\(hosts["h1"] ?? [:])")
        #expect(hosts["h2"]?["status"] as? String == "failed")
        let restored = (hosts["h1"]?["files"] as? [[String: Any]])?.first?["restored_at"]
        #expect(restored as? String != nil, "the journal knows h1's file is no longer live")
        let live = try json(try fixture.rollout(["live-config", "h1", "--output", "json"]))
        #expect((live["files"] as? [Any])?.isEmpty == true, "no journaled file is live on h1: \(live)")

        // `rollout rollback` switches releases; for a reload playbook it refuses instead of pushing files again.
        let rollback = try fixture.rollout(["rollback", "--inventory", "lab", "--playbook", "config", "--to", "v1"])
        #expect(rollback.status == 2)
        #expect(rollback.stderr.contains("`rollout rollback` switches releases"), "\(rollback.stderr)")
    }

    @Test("all or nothing: when the second file cannot be switched, the first is put back and nothing reloads")
    func aFailedSwitchPutsBackTheFilesAlreadySwitched() throws {
        let fixture = try DeployFixture(hosts: 1)
        defer { fixture.stop() }
        try fixture.prepareReloadableService()
        // The second file's destination is a directory on the host: its switch fails after the first one's.
        let host = try #require(fixture.cluster.hosts.first)
        try FileManager.default.createDirectory(
            atPath: host.rootDirectory + "/srv/shared/blocked", withIntermediateDirectories: true)
        try fixture.writeConfigPlaybook(
            template: Self.template, extra: "    - copy: config/blocked\n      dest: shared/blocked")
        try "static\n".write(toFile: fixture.project + "/config/blocked", atomically: true, encoding: .utf8)
        let before = fixture.liveConfigFiles()
        let result = try fixture.deployConfig()
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(fixture.liveConfigFiles() == before, "the first file was put back")
        #expect(fixture.servedMessages().values.allSatisfy { $0 == "initial" })
        let detail = try hostsByName(try json(try fixture.rollout(["show", "2", "--output", "json"])))[host.name]
        #expect(detail?["status"] as? String == "failed")
        #expect((detail?["error"] as? String)?.contains("the files switched before it were put back") == true)
        #expect((detail?["files"] as? [Any])?.isEmpty == true, "nothing is journaled as live")
        let phases = (detail?["phases"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(phases == ["prepare", "upload", "validate", "switch"], "no reload was sent: \(phases)")
    }
}
