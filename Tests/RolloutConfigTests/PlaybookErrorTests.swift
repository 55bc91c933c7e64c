import Testing

@testable import RolloutConfig

/// Every kind of invalid playbook gives one exact `file:line:column: key `k`: message` line.
@Suite struct PlaybookErrorTests {
    private static let base = """
        service: {name: web, root: /srv/web}
        artifact: {path: build/web}

        """

    /// Every problem the playbook `base + extra` produces, as printed.
    private func errors(_ extra: String, base: String = PlaybookErrorTests.base) -> [String] {
        do {
            _ = try Playbook.parse(base + extra, file: "playbooks/web.yml")
            return []
        } catch {
            return (error as? ConfigError)?.all.map(\.description) ?? ["\(error)"]
        }
    }

    @Test func theMinimalPlaybookIsValidAndDefaultsAreDocumentedOnes() throws {
        let playbook = try Playbook.parse(Self.base, file: "playbooks/web.yml")
        #expect(playbook.hosts == "all")
        #expect(playbook.strategy == .hot)
        #expect(playbook.batching == BatchingSpec(mode: .serial([.count(1)]), maxUnavailable: nil))
        #expect(playbook.maxFailures == .count(0))
        #expect(playbook.rollback == .host)
        #expect(playbook.service.keepReleases == 5)
        #expect(playbook.service.controlSocket.text == "{{ service.root }}/agent.sock")
        #expect(
            playbook.timeouts == TimeoutsSpec(upload: .seconds(600), restart: .seconds(120), rollout: .seconds(3600)))
    }

    @Test func unknownKeysAreErrorsWithSuggestions() {
        #expect(
            errors("seriall: 2\n") == [
                "playbooks/web.yml:3:1: key `seriall`: unknown key in the playbook (allowed: `service`, `artifact`, "
                    + "`hosts`, `strategy`, `serial`, `window`, `max_unavailable`, `canary`, `max_failures`, "
                    + "`rollback`, `health`, `gateway`, `hooks`, `timeouts`, `vars`, `overrides`, `agent`, `config`); "
                    + "did you mean `serial`?"
            ])
        #expect(
            errors("canary: {hosts: 1, bake_time: 5m}\n") == [
                "playbooks/web.yml:3:20: key `canary.bake_time`: unknown key in `canary` (allowed: `hosts`, `bake`, "
                    + "`promote`); did you mean `bake`?"
            ])
        #expect(
            errors("health:\n  - type: http\n    url: http://x/\n    retry: 3\n") == [
                "playbooks/web.yml:6:5: key `health[0].retry`: unknown key in `health[0]` (allowed: `type`, "
                    + "`interval`, `timeout`, `retries`, `successes`, `deadline`, `url`, `status`, `body_contains`, "
                    + "`version_header`, `version_json`); did you mean `retries`?"
            ])
    }

    @Test func wrongTypesAndRangesNameTheKey() {
        #expect(
            errors("service: {name: web, root: /srv/web, keep_releases: many}\n", base: "artifact: {path: a}\n") == [
                "playbooks/web.yml:2:53: key `service.keep_releases`: expected an integer in 2...1000, found a string "
                    + "`many`"
            ])
        #expect(
            errors("service: {name: web, root: /srv/web, keep_releases: 1}\n", base: "artifact: {path: a}\n") == [
                "playbooks/web.yml:2:53: key `service.keep_releases`: 1 is outside 2...1000"
            ])
        #expect(
            errors("strategy: hott\n") == [
                "playbooks/web.yml:3:11: key `strategy`: `hott` is not allowed (allowed: `hot`, `drain`, `reload`); "
                    + "did you mean `hot`?"
            ])
        #expect(
            errors("max_failures: \"150%\"\n") == [
                "playbooks/web.yml:3:15: key `max_failures`: `150%`: a percentage must be an integer from 0% to 100%"
            ])
        #expect(
            errors("serial: [1, 0, \"x\"]\n") == [
                "playbooks/web.yml:3:13: key `serial[1]`: 0 is below the minimum of 1",
                "playbooks/web.yml:3:16: key `serial[2]`: expected a count or a percentage such as `\"25%\"`, "
                    + "found a string",
            ])
        #expect(
            errors("vars: [a, b]\n") == [
                "playbooks/web.yml:3:7: key `vars`: expected a mapping of variables, found a list `[\"a\", \"b\"]`"
            ])
    }

    @Test func durationsAndSizesAreStrict() {
        #expect(
            errors("timeouts: {upload: 30, restart: 5 m, rollout: 30m1h}\n") == [
                "playbooks/web.yml:3:20: key `timeouts.upload`: expected a duration such as `30s`, `5m` or `1h30m`, "
                    + "found an integer; did you mean `30s`?",
                "playbooks/web.yml:3:33: key `timeouts.restart`: invalid duration `5 m` (use e.g. `30s`, `5m`, "
                    + "`1h30m`, `500ms`)",
                "playbooks/web.yml:3:47: key `timeouts.rollout`: invalid duration `30m1h`: units go largest first, "
                    + "each once",
            ])
        #expect(
            errors("canary: {hosts: 1, bake: 5d}\n") == [
                "playbooks/web.yml:3:26: key `canary.bake`: unknown unit `d` in `5d` (allowed: h, m, s, ms)"
            ])
        #expect(
            errors("artifact: {path: a, max_size: 10 MB}\n", base: "service: {name: web, root: /srv/web}\n") == [
                "playbooks/web.yml:2:31: key `artifact.max_size`: invalid size `10 MB` (a number of bytes, or a "
                    + "number with B, GB, GiB, KB, KiB, MB, MiB)"
            ])
    }

    @Test func missingAndContradictoryKeys() {
        #expect(
            errors("", base: "service: {root: /srv/web}\n") == [
                "playbooks/web.yml:1:1: key `artifact`: required: what to upload (`path`)",
                "playbooks/web.yml:1:10: key `service.name`: required: the service name",
            ])
        #expect(
            errors("serial: 2\nwindow: 3\n") == [
                "playbooks/web.yml:4:9: key `window`: give either `serial` (batches) or `window` (hosts in flight), "
                    + "not both"
            ])
        #expect(
            errors("strategy: drain\n") == [
                "playbooks/web.yml:1:1: key `gateway`: required: the `drain` strategy takes hosts out of a gateway; "
                    + "describe it here"
            ])
        #expect(
            errors("artifact: {path: a, version: \"1\", version_env: V}\n", base: "service: {name: s, root: /s}\n")
                == [
                    "playbooks/web.yml:2:48: key `artifact.version_env`: give either `version` or `version_env`, "
                        + "not both"
                ])
        #expect(
            errors("", base: "service: {name: web, root: srv/web}\nartifact: {path: a}\n") == [
                "playbooks/web.yml:1:28: key `service.root`: must be an absolute path; did you mean `/srv/web`?"
            ])
    }

    @Test func gatewayHealthAndHookErrors() {
        #expect(
            errors("gateway: {type: haproxi}\n") == [
                "playbooks/web.yml:3:17: key `gateway.type`: `haproxi` is not allowed (allowed: `haproxy`, `lvs`, "
                    + "`nginx`, `command`); did you mean `haproxy`?"
            ])
        #expect(
            errors("gateway: {type: haproxy, backend: web, socket: /s, address: \"1.2.3.4:9999\"}\n") == [
                "playbooks/web.yml:3:48: key `gateway.socket`: give exactly one of `socket` (admin socket path) "
                    + "or `address` (host:port)"
            ])
        #expect(
            errors("gateway: {type: command, drain: d, restore: r, on_drain_timeout: procede}\n") == [
                "playbooks/web.yml:3:66: key `gateway.on_drain_timeout`: `procede` is not allowed (allowed: `fail`, "
                    + "`proceed`); did you mean `proceed`?"
            ])
        #expect(
            errors("health:\n  - url: http://x/\n") == [
                "playbooks/web.yml:4:5: key `health[0].type`: required: one of `http`, `tcp`, `command`"
            ])
        #expect(
            errors("health:\n  - {type: http, url: \"http://{{ host | upper }}/\"}\n") == [
                "playbooks/web.yml:4:23: key `health[0].url`: unknown filter `upper` in `{{ host | upper }}`; "
                    + "the filters are `quote`, `raw`"
            ])
        #expect(
            errors("hooks:\n  before_restrat: [\"true\"]\n") == [
                "playbooks/web.yml:4:3: key `hooks.before_restrat`: unknown key in `hooks` (allowed: "
                    + "`before_upload`, `after_upload`, `before_drain`, `after_drain`, `before_switch`, "
                    + "`after_switch`, "
                    + "`before_restart`, `after_restart`, `before_verify`, `after_verify`, `before_undrain`, "
                    + "`after_undrain`, `before_rollout`, `after_rollout`); did you mean `before_restart`?"
            ])
        #expect(
            errors("hooks:\n  after_rollout: [{run: notify, on: host}]\n") == [
                "playbooks/web.yml:4:37: key `hooks.after_rollout[0].on`: `after_rollout` runs once per rollout, "
                    + "so only on the `controller`; did you mean `controller`?"
            ])
    }

    @Test func theDrainDeadlineChoiceDefaultsToFail() throws {
        let gateway = "strategy: drain\ngateway: {type: command, drain: d, restore: r"
        let plain = try Playbook.parse(Self.base + gateway + "}\n", file: "playbooks/web.yml")
        #expect(plain.gateway?.onDrainTimeout == .fail)
        #expect(plain.gateway?.drainDeadline == .seconds(60))
        let proceed = try Playbook.parse(
            Self.base + gateway + ", on_drain_timeout: proceed}\n", file: "playbooks/web.yml")
        #expect(proceed.gateway?.onDrainTimeout == .proceed)
    }

    @Test func allProblemsAreReportedAtOnceAndDuplicatesAreErrors() {
        let all = errors("strategy: fast\nserial: -1\nrollbak: all\n")
        #expect(all.count == 3)
        #expect(
            errors("hosts: web\nhosts: db\n") == [
                "playbooks/web.yml:3:1: key `hosts`: appears more than once in the same mapping; keep one"
            ])
    }
}
