import Testing

@testable import RolloutConfig

/// Plain scalars get the same implicit types as under Yams' default resolver, which the readers no longer use.
@Suite struct YAMLScalarTagTests {
    static let scalars = [
        "", "~", "~~", "null", "Null", "NULL", "nUll", "nul", "yes", "Yes", "YES", "yEs", "no", "No", "NO", "on",
        "On", "ON", "oN", "off", "Off", "OFF", "true", "True", "TRUE", "tRue", "false", "False", "FALSE", "y", "n",
        "tru", "<<", "<", "<<<", "=", "==", "0", "00", "-0", "+0", "7", "-1", "+12", "0x1F", "0x_", "0o17", "017",
        "0b101", "0b2", "1_000", "1:30", "190:20:30", "1:60", "1.5", ".5", "5.", "1.5e+3", "1e5", "1E-5", "-.inf",
        "+.Inf", ".INF", ".inf", ".NaN", ".nan", ".nAn", "1.5:30", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
        "2001-12-14 21:59:43.10 -5", "2001-1-1", "10.0.0.1", "1.2.3", "10.0.0", "1..2", "-", "+", ".", "-foo",
        "+1a", "1a", "web-01", "deploy", "8080", "true ", " yes", "é", "1é", "yes\n", "1\n", "0\t",
        "{{ host.address }}", "http://{{ host.address }}:8080/health", "2%", "5m", "/srv/web",
    ]

    @Test(arguments: scalars)
    func implicitTypeIsYamsDefault(_ text: String) {
        #expect(YAMLScalarTag.implicit(text).rawValue == YAMLScalarTag.byRules(text).rawValue)
    }

    @Test func documentsReadTheirScalarTypes() throws {
        let inventory = try Inventory.parseYAML(
            """
            all:
              vars: {a: 22, b: "22", c: yes, d: ~, e: 1.5, f: 10.0.0.1, g: !!str 7, h: null, i: "yes"}
              hosts:
                h1:
            """, file: "inv.yml")
        let vars = try #require(inventory.host(named: "h1")).vars
        #expect(vars["a"] == .int(22))
        #expect(vars["b"] == .string("22"))
        #expect(vars["c"] == .bool(true))
        #expect(vars["d"] == .null)
        #expect(vars["e"] == .double(1.5))
        #expect(vars["f"] == .string("10.0.0.1"))
        #expect(vars["g"] == .string("7"))
        #expect(vars["h"] == .null)
        #expect(vars["i"] == .string("yes"))
    }

    @Test func mergeKeysStillMerge() throws {
        let inventory = try Inventory.parseYAML(
            """
            all:
              hosts:
                h1: &base {port: 2222, user: ops}
                h2:
                  <<: *base
                  user: deploy
            """, file: "inv.yml")
        let h2 = try #require(inventory.host(named: "h2"))
        #expect(h2.port == 2222)
        #expect(h2.user == "deploy")
    }
}
