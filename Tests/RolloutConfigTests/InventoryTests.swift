import Testing

@testable import RolloutConfig

@Suite struct InventoryTests {
    @Test func yamlAndIniFormsOfTheExampleFleetLoadToTheSameModel() throws {
        let yaml = try Inventory.load("example", baseDirectory: Fixtures.packageRoot)
        let ini = try Inventory.load("inventories/example.ini", baseDirectory: Fixtures.packageRoot)
        #expect(yaml.file.hasSuffix("inventories/example.yml"))
        #expect(ini.file.hasSuffix("inventories/example.ini"))
        #expect(yaml.hosts == ini.hosts)
        #expect(yaml.groups == ini.groups)
        #expect(
            yaml.hosts.map(\.name) == [
                "bastion", "lb1", "web-eu-1", "web-eu-2", "web-eu-3", "web-us-1", "web-us-2", "web-us-3",
            ])
    }

    @Test func exampleFleetResolvesConnectionSettingsAndPrecedence() throws {
        let inventory = try Inventory.load("example", baseDirectory: Fixtures.packageRoot)
        let us2 = try #require(inventory.host(named: "web-us-2"))
        #expect(us2.address == "198.51.100.12")
        #expect(us2.port == 2222)
        #expect(us2.user == "deploy")
        #expect(us2.identityFile == "~/.ssh/rollout_ed25519")
        #expect(us2.proxyJump == "bastion")
        #expect(us2.vars["region"] == .string("us-west"))  // host beats group
        #expect(us2.vars["service_port"] == .int(8081))  // web beats all
        #expect(us2.vars["address"] == .string("198.51.100.12"))  // canonical name for ansible_host
        #expect(us2.vars["ansible_host"] == nil)
        #expect(us2.groups == ["all", "web", "web_us"])

        let eu1 = try #require(inventory.host(named: "web-eu-1"))
        #expect(eu1.address == "web-eu-1")
        #expect(eu1.port == 22)
        #expect(eu1.vars["region"] == .string("eu"))  // child group beats parent
        #expect(eu1.groups == ["all", "canary", "web", "web_eu"])

        let bastion = try #require(inventory.host(named: "bastion"))
        #expect(bastion.groups == ["all", "ungrouped"])
        #expect(bastion.vars["service_port"] == .int(8080))
        #expect(inventory.groups["all"]?.children == ["canary", "lb", "ungrouped", "web"])
        #expect(inventory.groups["web"]?.children == ["web_eu", "web_us"])
        #expect(inventory.groups["ungrouped"]?.hosts == ["bastion"])
    }

    @Test func groupsOfEqualDepthApplyAlphabeticallyAndDeeperGroupsWin() throws {
        let yaml = """
            all:
              vars: {color: white, size: s}
              children:
                zeta:
                  vars: {color: zeta}
                  hosts: {h1: null}
                alpha:
                  vars: {color: alpha, size: m}
                  hosts: {h1: null}
                  children:
                    deep:
                      vars: {size: xl}
                      hosts: {h2: null}
            """
        let inventory = try Inventory.parseYAML(yaml, file: "inv.yml")
        // alpha and zeta both have depth 1: zeta comes later alphabetically and wins.
        #expect(inventory.host(named: "h1")?.vars["color"] == .string("zeta"))
        #expect(inventory.host(named: "h1")?.vars["size"] == .string("m"))
        #expect(inventory.host(named: "h2")?.vars["size"] == .string("xl"))
        #expect(inventory.host(named: "h2")?.vars["color"] == .string("alpha"))
        #expect(inventory.host(named: "h2")?.groups == ["all", "alpha", "deep"])
    }

    @Test func groupPriorityBreaksTiesBeforeNamesAsInAnsible() throws {
        let yaml = """
            all:
              children:
                alpha:
                  vars: {color: alpha, ansible_group_priority: 10}
                  hosts: {h1: null}
                zeta:
                  vars: {color: zeta}
                  hosts: {h1: null}
            """
        let inventory = try Inventory.parseYAML(yaml, file: "inv.yml")
        #expect(inventory.host(named: "h1")?.vars["color"] == .string("alpha"))
        #expect(inventory.host(named: "h1")?.groups == ["all", "zeta", "alpha"])
        #expect(throws: ConfigError.self) {
            try Inventory.parseYAML("all: {vars: {ansible_group_priority: high}}", file: "inv.yml")
        }
    }

    @Test func depthIsTheLongestPathFromAll() throws {
        // `b` is both a direct child of all's child `a` and a grandchild via `a/m`: depth 3 wins over `m` (2).
        let ini = """
            [a:children]
            m
            b
            [m:children]
            b
            [b]
            h
            [m:vars]
            x=from_m
            [b:vars]
            x=from_b
            """
        let inventory = try Inventory.parseINI(ini, file: "inv.ini")
        #expect(inventory.host(named: "h")?.vars["x"] == .string("from_b"))
        #expect(inventory.host(named: "h")?.groups == ["all", "a", "m", "b"])
    }

    @Test func hostListedTwiceMergesItsVariablesLaterWinning() throws {
        let yaml = """
            all:
              children:
                one:
                  hosts:
                    h: {port: 2200, color: red, size: 1}
                two:
                  hosts:
                    h: {color: blue}
            """
        let inventory = try Inventory.parseYAML(yaml, file: "inv.yml")
        #expect(inventory.hosts.count == 1)
        let h = try #require(inventory.host(named: "h"))
        #expect(h.port == 2200)
        #expect(h.vars["color"] == .string("blue"))
        #expect(h.vars["size"] == .int(1))
        #expect(inventory.groups["one"]?.hosts == ["h"])
        #expect(inventory.groups["two"]?.hosts == ["h"])
    }

    @Test func iniValuesAreTypedAndQuotesKeepStrings() throws {
        let ini = """
            ; a comment
            h1 port=2201 weight=3 ratio=0.5 enabled=True label="two words" code='007'  # trailing comment
            [g]  ; hosts of g
            h2:2202
            r[1:2]:2203
            [g:vars]
            greeting = hello world
            quoted = "a # not a comment"
            """
        let inventory = try Inventory.parseINI(ini, file: "inv.ini")
        let h1 = try #require(inventory.host(named: "h1"))
        #expect(h1.port == 2201)
        #expect(h1.vars["weight"] == .int(3))
        #expect(h1.vars["ratio"] == .double(0.5))
        #expect(h1.vars["enabled"] == .bool(true))
        #expect(h1.vars["label"] == .string("two words"))
        #expect(h1.vars["code"] == .string("007"))
        let h2 = try #require(inventory.host(named: "h2"))
        #expect(h2.port == 2202)
        #expect(h2.vars["greeting"] == .string("hello world"))
        #expect(h2.vars["quoted"] == .string("a # not a comment"))
        #expect(inventory.host(named: "r2")?.port == 2203)
    }

    @Test func hostRangesExpandLikeAnsible() throws {
        #expect(try HostPattern.expand("web[01:03]") == ["web01", "web02", "web03"])
        #expect(try HostPattern.expand("db-[a:c]-x") == ["db-a-x", "db-b-x", "db-c-x"])
        #expect(try HostPattern.expand("n[1:7:3]") == ["n1", "n4", "n7"])
        #expect(try HostPattern.expand("r[1:2]c[1:2]") == ["r1c1", "r1c2", "r2c1", "r2c2"])
        #expect(throws: HostPattern.Problem.self) { try HostPattern.expand("web[3:1]") }
    }

    @Test func yamlMergeKeysApplyToHostVariables() throws {
        let yaml = """
            all:
              hosts:
                a: &defaults {port: 2022, user: ops}
                b:
                  <<: *defaults
                  user: admin
            """
        let inventory = try Inventory.parseYAML(yaml, file: "inv.yml")
        #expect(inventory.host(named: "b")?.port == 2022)
        #expect(inventory.host(named: "b")?.user == "admin")
    }
}
