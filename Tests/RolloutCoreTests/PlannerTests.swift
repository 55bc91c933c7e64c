import RolloutConfig
import Testing

@testable import RolloutCore

@Suite struct PlannerTests {
    @Test func aCanaryHostIsAlwaysAloneInTheFirstBatch() throws {
        let cases = [
            "canary: {hosts: 1}\nserial: 5\n",
            "canary: {hosts: 1}\nserial: [\"50%\"]\n",
            "canary: {hosts: h07}\nserial: 3\n",
            "canary: {hosts: 1}\nwindow: 4\n",
            "canary: {hosts: 1, bake: 5m}\nserial: [1, 5, \"25%\"]\n",
        ]
        for body in cases {
            let plan = try PlanFixtures.plan(body)
            let first = try #require(plan.batches.first)
            #expect(first.kind == .canary, "\(body)")
            #expect(first.hosts.count == 1, "\(body)")
            #expect(first.concurrency == 1)
            let canary = first.hosts[0]
            #expect(plan.batches.dropFirst().allSatisfy { !$0.hosts.contains(canary) }, "\(body)")
            #expect(plan.batches.flatMap(\.hosts).sorted() == plan.hosts.map(\.name).sorted(), "every host once")
        }
        #expect(try PlanFixtures.plan("canary: {hosts: h07}\n").batches[0].hosts == ["h07"])
    }

    @Test func aCanaryGroupFormsTheFirstBatchWithItsBakeAndPromotion() throws {
        let plan = try PlanFixtures.plan("canary: {hosts: canary, bake: 10m, promote: manual}\nserial: 4\n", hosts: 10)
        #expect(plan.batches.map(\.hosts.count) == [2, 4, 4])
        #expect(plan.batches[0].hosts == ["h01", "h02"])
        #expect(plan.batches[0].bake == .seconds(600))
        #expect(plan.batches[0].waitForPromote)
        #expect(plan.canary?.hosts == ["h01", "h02"])
    }

    @Test func serialPercentagesAreOfAllHostsOfTheRollout() throws {
        // 10 hosts, one canary: the ramp [1, 5, 25%] runs over the other 9 with 25% of 10 = 2.
        let plan = try PlanFixtures.plan("canary: {hosts: 1}\nserial: [1, 5, \"25%\"]\n")
        #expect(plan.batches.map(\.hosts.count) == [1, 1, 5, 2, 1])
        #expect(plan.batches.map(\.kind) == [.canary, .serial, .serial, .serial, .serial])
    }

    @Test func limitNarrowsThePlaybookHosts() throws {
        let plan = try PlanFixtures.plan("hosts: web\n", limit: "h0*,!h05")
        #expect(plan.hosts.map(\.name) == ["h01", "h02", "h03", "h04", "h06", "h07", "h08", "h09"])
        let error = try #require(throws: ConfigError.self) { try PlanFixtures.plan("hosts: canary\n", limit: "h09") }
        #expect(error.code == .noMatch)
        #expect(error.key == "hosts")
    }

    @Test func aCanaryLargerThanMaxUnavailableIsRejected() throws {
        let error = try #require(throws: ConfigError.self) {
            try PlanFixtures.plan("canary: {hosts: 3}\nmax_unavailable: 2\n")
        }
        #expect(
            error.description
                == "playbooks/test.yml:3:17: key `canary.hosts`: 3 canary hosts exceed `max_unavailable` (2)")
    }

    @Test func undefinedVariablesAreReportedOnceWithTheirPlaceAndHosts() throws {
        let error = try #require(throws: ConfigError.self) {
            try PlanFixtures.plan(
                """
                health:
                  - type: http
                    url: "http://{{ host.address }}:{{ service_prot }}/"
                """, hosts: 4)
        }
        #expect(
            error.all.map(\.description) == [
                "playbooks/test.yml:5:10: key `health[0].url`: undefined variable `service_prot` for host h01, h02, "
                    + "h03 and 1 more; did you mean `service_port`?"
            ])
    }

    @Test func variablesResolveIntoCommandsPerHost() throws {
        let plan = try PlanFixtures.plan(
            """
            vars: {path: /healthz}
            health:
              - {type: http, url: "http://{{ host.address }}:{{ service_port }}{{ path }}", version_json: version}
              - {type: command, run: "test -L {{ service.current }}"}
            hooks:
              after_switch: "echo {{ version }} > {{ service.shared }}/VERSION"
            """, hosts: 2, vars: ["path": .string("/ready")])
        let host = try #require(plan.hosts.first)
        let verify = try #require(host.steps.first { $0.phase == .verify })
        guard case .health(let http) = verify.actions[0], case .http(let url, _, _, _, let key) = http.probe else {
            Issue.record("expected an http check first")
            return
        }
        #expect(url == "http://h01:8080/ready")
        #expect(key == "version")
        #expect(http.expectVersion == "1.0.0")
        guard case .health(let command) = verify.actions[1], case .command(let run) = command.probe else {
            Issue.record("expected a command check second")
            return
        }
        #expect(run.argv == ["sh", "-c", "test -L /srv/web/current"])
        let switchStep = try #require(host.steps.first { $0.phase == .switch })
        #expect(
            switchStep.actions.last
                == .run(.shell("echo 1.0.0 > /srv/web/shared/VERSION", on: "h01", timeout: .seconds(60)), hook: .after))
    }

    @Test func stepsFollowTheStrategy() throws {
        let plan = try PlanFixtures.plan(
            """
            strategy: drain
            gateway: {type: command, drain: "lb-off {{ host.name }}", restore: "lb-on {{ host.name }}"}
            overrides:
              canary: {strategy: hot}
            """, hosts: 3)
        #expect(plan.hosts.map(\.strategy) == [.hot, .hot, .drain])
        #expect(
            plan.hosts[0].steps.map(\.phase) == [.prepare, .upload, .switch, .restart, .verify, .cleanup])
        #expect(
            plan.hosts[2].steps.map(\.phase)
                == [.prepare, .upload, .drain, .switch, .restart, .verify, .undrain, .cleanup])
        let drain = try #require(plan.hosts[2].steps.first { $0.phase == .drain })
        #expect(
            drain.actions[0]
                == .gateway(
                    GatewayStep(
                        operation: .drain, kind: "command", on: "controller",
                        calls: [.run(.shell("lb-off h03", on: "controller"), purpose: "must exit 0")])))
        #expect(
            drain.actions[1]
                == .waitDrained(
                    status: [], count: nil, deadline: .seconds(60), pollInterval: .seconds(1), onTimeout: .fail))
        let restart = try #require(plan.hosts[2].steps.first { $0.phase == .restart })
        #expect(restart.actions.first == .gateway(GatewayStep(operation: .recheckDrained, kind: "command", on: "controller", calls: [])))
        // A drained host needs no handoff: its agent stops the old generation before starting the new one.
        let hotRestart = try #require(plan.hosts[0].steps.first { $0.phase == .restart })
        #expect(restart.actions.last.flatMap(\.restartArgv)?.last == "--cold")
        #expect(hotRestart.actions.last.flatMap(\.restartArgv)?.last == "restart")
        let undrain = try #require(plan.hosts[2].steps.first { $0.phase == .undrain })
        #expect(undrain.actions.count == 2)
    }

    @Test func undefinedVariablesInServicePathsAreReported() throws {
        let playbook = try Playbook.parse(
            "service: {name: web, root: \"/srv/{{ tenant }}\"}\nartifact: {path: build/web}\n", file: "p.yml")
        let error = try #require(throws: ConfigError.self) {
            try Planner.plan(
                PlanRequest(
                    inventory: PlanFixtures.fleet(2), playbook: playbook,
                    version: ResolvedVersion(version: "1", source: .commandLine), artifact: PlanFixtures.artifact))
        }
        #expect(error.all.map(\.key) == ["service.root"])
        #expect(error.code == .undefinedVariable)
        let defined = try Planner.plan(
            PlanRequest(
                inventory: PlanFixtures.fleet(2), playbook: playbook, extraVars: ["tenant": .string("acme")],
                version: ResolvedVersion(version: "1", source: .commandLine), artifact: PlanFixtures.artifact))
        #expect(defined.hosts[0].root == "/srv/acme")
    }

    @Test func overridesReplaceHealthChecksForTheirHostsAndHooksRunWhereTheySay() throws {
        let plan = try PlanFixtures.plan(
            """
            health:
              - {type: tcp, port: "{{ service_port }}"}
            overrides:
              canary:
                health:
                  - {type: command, run: "canary-check {{ host.name }}"}
            hooks:
              before_restart:
                - {run: "notify {{ host.name }}", on: controller, timeout: 5s}
            """, hosts: 3)
        func checks(_ index: Int) -> [PlannedHealthCheck.Probe] {
            plan.hosts[index].steps.first { $0.phase == .verify }!.actions.compactMap {
                if case .health(let check) = $0 { check.probe } else { nil }
            }
        }
        #expect(checks(0) == [.command(.shell("canary-check h01", on: "h01", timeout: .seconds(2)))])
        #expect(checks(2) == [.tcp(host: "h03", port: 8080)])
        let restart = try #require(plan.hosts[2].steps.first { $0.phase == .restart })
        #expect(
            restart.actions.first == .run(.shell("notify h03", on: "controller", timeout: .seconds(5)), hook: .before))
    }
}

extension PlanAction {
    /// The argv of a `run` action (the agent's restart command in a restart step).
    fileprivate var restartArgv: [String]? {
        if case .run(let command, nil) = self { command.argv } else { nil }
    }
}
