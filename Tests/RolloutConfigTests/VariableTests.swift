import Testing

@testable import RolloutConfig

@Suite struct VariableTests {
    let inventory: Inventory
    let playbook: Playbook

    init() throws {
        inventory = try Inventory.parseYAML(
            """
            all:
              vars: {color: all, size: s, tier: all}
              children:
                web:
                  vars: {color: web, size: m}
                  hosts:
                    w1: {color: host, address: 10.0.0.1}
                    w2: {}
            """, file: "inv.yml")
        playbook = try Playbook.parse(
            """
            service: {name: api, root: "/srv/{{ tier }}"}
            artifact: {path: a}
            vars: {size: playbook, greeting: "hi {{ host.name }}"}
            overrides:
              w2:
                vars: {size: override}
            """, file: "pb.yml")
    }

    private func scope(_ host: String, extra: [String: ConfigValue] = [:]) throws -> VariableScope {
        playbook.variables(
            for: try #require(inventory.host(named: host)), in: inventory, extraVars: extra, version: "1.2.3")
    }

    @Test func precedenceIsInventoryThenPlaybookThenOverridesThenExtraVars() throws {
        #expect(try scope("w1").lookup("tier") == .string("all"))
        #expect(try scope("w1").lookup("color") == .string("host"))  // host beats groups
        #expect(try scope("w2").lookup("color") == .string("web"))  // group beats all
        #expect(try scope("w1").lookup("size") == .string("playbook"))  // play vars beat inventory, as in Ansible
        #expect(try scope("w2").lookup("size") == .string("override"))
        #expect(try scope("w2", extra: ["size": .string("cli")]).lookup("size") == .string("cli"))
    }

    @Test func rolloutNamesAreDefined() throws {
        let w1 = try scope("w1")
        #expect(w1.lookup("host.address") == .string("10.0.0.1"))
        #expect(w1.lookup("host.name") == .string("w1"))
        #expect(w1.lookup("version") == .string("1.2.3"))
        #expect(w1.lookup("service.root") == .string("/srv/all"))
        #expect(w1.lookup("service.release") == .string("/srv/all/releases/1.2.3"))
        #expect(w1.lookup("service.current") == .string("/srv/all/current"))
    }

    @Test func templatesRenderNestedValuesAndReportEveryUndefinedName() throws {
        let origin = ConfigOrigin(file: "pb.yml", line: 3, key: "x")
        let ok = try Template.parse("{{ greeting }} at {{host.address}}:{{ host.port }}", origin: origin).get()
        #expect(try ok.renderUnquoted(in: scope("w1")).get() == "hi w1 at 10.0.0.1:22")
        let bad = try Template.parse("{{ nope }}/{{ host.adress }}", origin: origin).get()
        guard case .failure(let undefined) = bad.renderUnquoted(in: try scope("w1")) else {
            Issue.record("undefined names rendered")
            return
        }
        #expect(undefined.names.map(\.name) == ["nope", "host.adress"])
    }

    @Test func templateSyntaxIsChecked() {
        let origin = ConfigOrigin(file: "f")
        #expect((try? Template.parse("{{ a.b_c }}", origin: origin).get())?.references == ["a.b_c"])
        #expect(throws: ValueProblem.self) { try Template.parse("{{ a", origin: origin).get() }
        #expect(throws: ValueProblem.self) { try Template.parse("{{ 1x }}", origin: origin).get() }
        #expect(throws: ValueProblem.self) { try Template.parse("{{ a | default(1) }}", origin: origin).get() }
    }

    @Test func extraVariablesParseAndRejectMalformedOnes() throws {
        #expect(
            try ExtraVariables.parse(["a=1", "b=x=y", "c="]) == [
                "a": .string("1"), "b": .string("x=y"), "c": .string(""),
            ])
        let error = try #require(throws: ConfigError.self) { try ExtraVariables.parse(["novalue", "1a=2"]) }
        #expect(error.all.map(\.key) == ["novalue", "1a"])
    }

    @Test func durationsParseStrictlyAndFormatCanonically() throws {
        #expect(try ConfigDuration.parse("30s") == .seconds(30))
        #expect(try ConfigDuration.parse("5m") == .seconds(300))
        #expect(try ConfigDuration.parse("1h30m") == .seconds(5400))
        #expect(try ConfigDuration.parse("2h5m10s250ms") == .milliseconds(7_510_250))
        for bad in ["", "30", "5 m", "1m1h", "1h1h", "-5s", "1.5h", "5d", "s"] {
            #expect(throws: ValueProblem.self, "\(bad)") { try ConfigDuration.parse(bad) }
        }
        #expect(ConfigDuration.format(.seconds(5400)) == "1h30m")
        #expect(ConfigDuration.format(.milliseconds(500)) == "500ms")
        #expect(ConfigDuration.format(.zero) == "0s")
    }

    @Test func sizesParseStrictly() throws {
        #expect(try ConfigSize.parse(.string("10MB")).get() == 10_000_000)
        #expect(try ConfigSize.parse(.string("2GiB")).get() == 2_147_483_648)
        #expect(try ConfigSize.parse(.int(512)).get() == 512)
        #expect(throws: ValueProblem.self) { try ConfigSize.parse(.string("10 MB")).get() }
        #expect(throws: ValueProblem.self) { try ConfigSize.parse(.string("1.5GB")).get() }
        #expect(throws: ValueProblem.self) { try ConfigSize.parse(.string("10mb")).get() }
    }

    @Test func examplePlaybooksLoadAndTheDefaultNeedsANameWhenThereAreSeveral() throws {
        let web = try Playbook.load("web", baseDirectory: Fixtures.packageRoot)
        #expect(web.strategy == .hot)
        #expect(web.batching.mode == .serial([.count(1), .count(2), .percent(50)]))
        let drain = try Playbook.load("playbooks/web-drain.yml", baseDirectory: Fixtures.packageRoot)
        #expect(drain.gateway?.on == "lb1")
        #expect(drain.batching.mode == .window(.count(3)))
        let error = try #require(throws: ConfigError.self) {
            try Playbook.load(nil, baseDirectory: Fixtures.packageRoot)
        }
        #expect(error.message.contains("several playbooks (lab, production, web, web-command, web-config, web-drain, web-lvs, web-nginx)"))
    }
}

@Suite struct VariableCycleTests {
    @Test func aVariableReferringToItselfIsReportedNotExpandedForever() throws {
        let scope = VariableScope(["a": .string("x{{ b }}"), "b": .string("{{ a }}"), "c": .string("{{ c }}")])
        let template = try Template.parse("{{ a }} {{ c }}", origin: ConfigOrigin(file: "f")).get()
        guard case .failure(let failure) = template.renderUnquoted(in: scope) else {
            Issue.record("a cycle rendered")
            return
        }
        #expect(failure.names.map(\.name) == ["a", "c"])
        #expect(failure.names.allSatisfy { $0.isCycle })
    }
}
