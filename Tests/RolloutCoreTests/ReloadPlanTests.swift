import Foundation
import RolloutConfig
import Testing

@testable import RolloutCore

/// Planning `reload` hosts: files rendered per host, the steps in order, undefined variables at the template's
/// line, and the commands that switch and restore files doing exactly that in a real shell.
@Suite struct ReloadPlanTests {
    static let playbook = """
        service: {name: web, root: /srv/web}
        strategy: reload
        health:
          - {type: http, url: "http://{{ host.name }}:{{ service_port }}/", version_header: X-Version}
        config:
          files:
            - template: config/demo.conf.tmpl
              dest: shared/demo.conf
              validate: "/srv/web/current/bin/web --check-config {file}"

        """

    /// Plans `playbook` over 3 hosts with `template` as `config/demo.conf.tmpl` in a project directory.
    func plan(template: String, playbook: String = ReloadPlanTests.playbook) throws -> Plan {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/config", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try template.write(toFile: dir + "/config/demo.conf.tmpl", atomically: true, encoding: .utf8)
        let parsed = try Playbook.parse(playbook, file: "playbooks/cfg.yml")
        let (sources, problems) = ConfigSource.load(parsed.config, baseDirectory: dir)
        #expect(problems.isEmpty)
        return try Planner.plan(
            PlanRequest(
                inventory: PlanFixtures.fleet(3), playbook: parsed,
                version: ResolvedVersion(version: "current", source: .current), artifact: nil, config: sources))
    }

    @Test func aReloadHostUploadsValidatesSwitchesReloadsAndVerifies() throws {
        let plan = try plan(template: "# for {{ inventory_hostname }}\nmessage = port {{ service_port }}\n")
        #expect(plan.artifact == nil)
        #expect(plan.version.source == .current)
        let host = try #require(plan.hosts.first)
        #expect(host.strategy == .reload)
        #expect(host.steps.map(\.phase) == [.prepare, .upload, .validate, .switch, .reload, .verify])
        guard case .uploadConfig(let files) = host.steps[1].actions[0] else {
            Issue.record("upload step uploads config files")
            return
        }
        let file = try #require(files.first)
        #expect(String(decoding: file.content, as: UTF8.self) == "# for h01\nmessage = port 8080\n")
        #expect(file.sha256 == Digest.sha256Hex(Array("# for h01\nmessage = port 8080\n".utf8)))
        #expect(file.destination == "/srv/web/shared/demo.conf")
        #expect(file.temporary == "/srv/web/shared/.demo.conf.rollout-new")
        #expect(file.backup == "/srv/web/shared/.demo.conf.rollout-prev")
        #expect(
            file.validate?.argv == [
                "sh", "-c", "/srv/web/current/bin/web --check-config /srv/web/shared/.demo.conf.rollout-new",
            ])
        guard case .run(let reload, nil) = host.steps[4].actions[0] else {
            Issue.record("the reload step asks the agent")
            return
        }
        #expect(reload.argv == ["rollout-agent", "ctl", "--socket", "/srv/web/agent.sock", "reload-service"])
        guard case .health(let check) = host.steps[5].actions[0] else {
            Issue.record("verify runs the health checks")
            return
        }
        #expect(check.expectVersion == nil, "the release does not change, so no version is expected")
        let text = plan.text
        #expect(text.contains("artifact   none: configuration only"))
        #expect(text.contains("reload    $ rollout-agent ctl --socket /srv/web/agent.sock reload-service"), "\(text)")
        #expect(text.contains("mv -T -- /srv/web/shared/.demo.conf.rollout-new /srv/web/shared/demo.conf"))
        let json = plan.jsonText
        #expect(json.contains("upload_config") && json.contains("switch_config") && json.contains(file.sha256))
    }

    @Test func everyHostGetsItsOwnRendering() throws {
        let plan = try plan(template: "message = {{ inventory_hostname }}")
        let contents = plan.hosts.map { host -> String in
            guard case .uploadConfig(let files) = host.steps[1].actions[0] else { return "" }
            return String(decoding: files[0].content, as: UTF8.self)
        }
        #expect(contents == ["message = h01", "message = h02", "message = h03"])
    }

    @Test func anUndefinedVariableIsReportedAtTheTemplatesLine() throws {
        let error = try #require(throws: ConfigError.self) {
            try plan(template: "# ok\nmessage = {{ greeting }}\n")
        }
        #expect(
            error.all.map(\.description) == [
                "config/demo.conf.tmpl:2: key `config.files[0].template`: undefined variable `greeting` for host "
                    + "h01, h02, h03"
            ])
    }

    @Test func aGroupCanReloadWhileTheOthersGetTheRelease() throws {
        let mixed = """
            service: {name: web, root: /srv/web}
            artifact: {path: build/web}
            strategy: hot
            overrides:
              canary: {strategy: reload}
            config:
              files:
                - {template: config/demo.conf.tmpl, dest: release/demo.conf}

            """
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mx-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/config", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "message = {{ version }}\n".write(toFile: dir + "/config/demo.conf.tmpl", atomically: true, encoding: .utf8)
        let parsed = try Playbook.parse(mixed, file: "playbooks/mixed.yml")
        let plan = try Planner.plan(
            PlanRequest(
                inventory: PlanFixtures.fleet(3), playbook: parsed,
                version: ResolvedVersion(version: "2.0", source: .commandLine), artifact: PlanFixtures.artifact,
                config: ConfigSource.load(parsed.config, baseDirectory: dir).sources))
        #expect(plan.hosts.map(\.strategy) == [.reload, .reload, .hot])
        #expect(plan.hosts[0].steps.map(\.phase) == [.prepare, .upload, .switch, .reload, .verify])
        #expect(plan.hosts[2].steps.map(\.phase) == [.prepare, .upload, .switch, .restart, .verify, .cleanup])
        guard case .uploadConfig(let files) = plan.hosts[0].steps[1].actions[0] else {
            Issue.record("the canary uploads its config")
            return
        }
        #expect(files[0].destination == "/srv/web/current/demo.conf")
        // A file inside the release needs one: never `mkdir -p` a real directory where `current` belongs.
        guard case .run(let check, nil) = plan.hosts[0].steps[0].actions[0] else {
            Issue.record("prepare checks the release link first")
            return
        }
        #expect(check.argv.last == "/srv/web/current")
        #expect(check.argv.contains { $0.contains("test -L") })
        #expect(files[0].content == Array("message = 2.0\n".utf8))
    }

    @Test func theSwitchAndRestoreCommandsWorkInARealShell() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sw-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func run(_ command: PlannedCommand) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command.line]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(command.line)")
        }
        func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }
        let file = PlannedConfigFile(
            host: "h", source: "s", kind: "copy", destination: "\(dir)/my conf", content: [], mode: 0o644,
            validate: nil)
        // No file before: the switch creates it; the restore removes it again.
        try "new\n".write(toFile: file.temporary, atomically: true, encoding: .utf8)
        for command in ConfigCommands.switchFile(file) { try run(command) }
        #expect(read(file.destination) == "new\n")
        #expect(!FileManager.default.fileExists(atPath: file.temporary))
        try run(ConfigCommands.restoreFile(file))
        #expect(!FileManager.default.fileExists(atPath: file.destination))
        // An old file: kept as the backup, put back by the restore (the backup stays for another restore).
        try "old\n".write(toFile: file.destination, atomically: true, encoding: .utf8)
        try "new\n".write(toFile: file.temporary, atomically: true, encoding: .utf8)
        for command in ConfigCommands.switchFile(file) { try run(command) }
        #expect(read(file.destination) == "new\n")
        #expect(read(file.backup) == "old\n")
        try run(ConfigCommands.restoreFile(file))
        #expect(read(file.destination) == "old\n")
        #expect(read(file.backup) == "old\n")
        try run(ConfigCommands.discard(host: "h", [file]))
        #expect(!FileManager.default.fileExists(atPath: file.temporary))

        // Only a symlink counts as a release.
        let check = ConfigCommands.requireRelease(host: "h", current: "\(dir)/current")
        let missing = Process()
        missing.executableURL = URL(fileURLWithPath: "/bin/sh")
        missing.arguments = ["-c", check.line]
        try missing.run()
        missing.waitUntilExit()
        #expect(missing.terminationStatus == 1)
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/current", withDestinationPath: "releases/v1")
        try run(check)
    }
}
