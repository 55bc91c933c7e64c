import Foundation
import Testing

@testable import RolloutConfig

/// `strategy: reload` and the `config` section: what is read, and every mistake named by file, line and key.
@Suite struct ConfigSectionTests {
    static let configOnly = """
        service: {name: web, root: /srv/web}
        strategy: reload
        config:
          reload_timeout: 20s
          files:
            - template: config/site.conf.tmpl
              dest: shared/nginx/site.conf
              mode: "0640"
              validate: "nginx -t -c {file}"
            - copy: config/mime.types
              dest: release/conf/mime.types

        """

    private func errors(_ text: String) -> [String] {
        do {
            _ = try Playbook.parse(text, file: "playbooks/cfg.yml")
            return []
        } catch {
            return (error as? ConfigError)?.all.map(\.description) ?? ["\(error)"]
        }
    }

    @Test func aConfigOnlyPlaybookNeedsNoArtifact() throws {
        let playbook = try Playbook.parse(Self.configOnly, file: "playbooks/cfg.yml")
        #expect(playbook.strategy == .reload)
        #expect(playbook.artifact == nil)
        let config = try #require(playbook.config)
        #expect(config.reloadTimeout == .seconds(20))
        #expect(config.files.count == 2)
        #expect(config.files[0].source == .template("config/site.conf.tmpl"))
        #expect(config.files[0].base == .shared)
        #expect(config.files[0].path == "nginx/site.conf")
        #expect(config.files[0].mode == 0o640)
        #expect(config.files[0].validate?.text == "nginx -t -c {file}")
        #expect(config.files[1].source == .copy("config/mime.types"))
        #expect(config.files[1].destination == "release/conf/mime.types")
        #expect(config.files[1].mode == 0o644)
        #expect(config.files[1].validate == nil)
    }

    @Test func reloadForOnlySomeHostsStillNeedsTheArtifact() {
        let text =
            "service: {name: web, root: /srv/web}\nstrategy: hot\n"
            + "config: {files: [{copy: a, dest: shared/a}]}\noverrides:\n  edge: {strategy: reload}\n"
        #expect(errors(text) == ["playbooks/cfg.yml:1:1: key `artifact`: required: what to upload (`path`)"])
    }

    @Test func strategyAndConfigMustGoTogether() {
        #expect(
            errors("service: {name: web, root: /srv/web}\nstrategy: reload\n") == [
                "playbooks/cfg.yml:1:1: key `config`: required: the `reload` strategy pushes configuration files; "
                    + "list them here"
            ])
        #expect(
            errors(
                "service: {name: web, root: /srv/web}\nartifact: {path: a}\nconfig: {files: [{copy: a, dest: shared/a}]}\n"
            ) == [
                "playbooks/cfg.yml:3:9: key `config`: no host uses `strategy: reload`, so these files would never "
                    + "be deployed; set the strategy"
            ])
    }

    @Test func everyFileMistakeIsNamed() {
        let text = """
            service: {name: web, root: /srv/web}
            strategy: reload
            config:
              files:
                - {template: a.tmpl, copy: b, dest: shared/a}
                - {template: a.tmpl, dest: /etc/nginx/nginx.conf}
                - {template: a.tmpl, dest: shared/../x}
                - {template: a.tmpl, dest: shared/b, mode: rw-r--r--}
                - {template: a.tmpl, dest: shared/c, validate: nginx -t}
                - {dest: shared/d}
                - {template: a.tmpl, dest: shared/c, owner: root}

            """
        #expect(
            errors(text) == [
                "playbooks/cfg.yml:5:32: key `config.files[0].copy`: give either `template` (rendered per host) or "
                    + "`copy` (as it is), not both",
                "playbooks/cfg.yml:6:32: key `config.files[1].dest`: `/etc/nginx/nginx.conf` is not under `shared/` "
                    + "or `release/`",
                "playbooks/cfg.yml:7:32: key `config.files[2].dest`: `shared/../x` must name a file below `shared/`",
                "playbooks/cfg.yml:8:48: key `config.files[3].mode`: `rw-r--r--` is not an octal mode; "
                    + "did you mean `0644`?",
                "playbooks/cfg.yml:9:52: key `config.files[4].validate`: must name the uploaded file as `{file}` "
                    + "(it is checked before it replaces the live one), e.g. `nginx -t -c {file}`",
                "playbooks/cfg.yml:10:7: key `config.files[5].template`: required: a local file to render per host, "
                    + "or `copy:` for one deployed as it is",
                "playbooks/cfg.yml:11:42: key `config.files[6].owner`: unknown key in `config.files[6]` (allowed: "
                    + "`template`, `copy`, `dest`, `mode`, `validate`)",
                "playbooks/cfg.yml:11:7: key `config.files[6].dest`: `shared/c` is also the destination of "
                    + "config.files[4]",
            ])
    }

    @Test func templatesAreReadLineByLineWithTheirOwnFileAndLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/config", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "server {\n  listen {{ port }};\n}\n".write(
            toFile: dir + "/config/site.conf.tmpl", atomically: true, encoding: .utf8)
        try Data([0, 1, 2, 255]).write(to: URL(fileURLWithPath: dir + "/config/mime.types"))
        let playbook = try Playbook.parse(Self.configOnly, file: "playbooks/cfg.yml")
        let (sources, problems) = ConfigSource.load(playbook.config, baseDirectory: dir)
        #expect(problems.isEmpty)
        guard case .lines(let lines) = sources.first?.content else {
            Issue.record("a template reads as lines")
            return
        }
        #expect(lines.count == 4)
        #expect(lines[1].references == ["port"])
        #expect(
            lines[1].origin == ConfigOrigin(file: "config/site.conf.tmpl", line: 2, key: "config.files[0].template"))
        #expect(sources.last?.content == .bytes([0, 1, 2, 255]))

        try "a {{ unclosed\n".write(toFile: dir + "/config/site.conf.tmpl", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: dir + "/config/mime.types")
        let broken = ConfigSource.load(playbook.config, baseDirectory: dir).problems.map(\.description)
        #expect(
            broken == [
                "config/site.conf.tmpl:1: key `config.files[0].template`: `{{` without a closing `}}` in `a {{ unclosed`",
                "playbooks/cfg.yml:10:7: key `config.files[1]`: cannot read `config/mime.types` (relative to the "
                    + "project directory)",
            ])
    }
}
