import Testing

@testable import RolloutConfig

@Suite struct LimitTests {
    let inventory: Inventory

    init() throws {
        inventory = try Inventory.load("example", baseDirectory: Fixtures.packageRoot)
    }

    private func names(_ limit: String?) throws -> [String] {
        try inventory.select(limit: limit).map(\.name)
    }

    @Test func noLimitSelectsEveryHostInOrder() throws {
        #expect(try names(nil).count == 8)
        #expect(try names("") == names(nil))
        #expect(try names("all") == names(nil))
    }

    @Test func hostsGroupsAndGlobsUniteInInventoryOrder() throws {
        #expect(try names("web-us-2,lb1") == ["lb1", "web-us-2"])
        #expect(try names("web_us") == ["web-us-1", "web-us-2", "web-us-3"])
        #expect(try names("web") == ["web-eu-1", "web-eu-2", "web-eu-3", "web-us-1", "web-us-2", "web-us-3"])
        #expect(try names("web-eu-?:lb*") == ["lb1", "web-eu-1", "web-eu-2", "web-eu-3"])
        #expect(try names("web_*") == names("web"))
        #expect(try names("web-eu-[12]") == ["web-eu-1", "web-eu-2"])
        #expect(try names("web-eu-[1-2]:lb1") == ["lb1", "web-eu-1", "web-eu-2"])
    }

    @Test func exclusionsAndIntersections() throws {
        #expect(try names("web,!web_us") == ["web-eu-1", "web-eu-2", "web-eu-3"])
        #expect(try names("!web_us,web") == ["web-eu-1", "web-eu-2", "web-eu-3"])
        #expect(try names("web,&canary") == ["web-eu-1"])
        #expect(try names("!web") == ["bastion", "lb1"])
    }

    @Test func aPatternMatchingNothingIsAnErrorNamingIt() throws {
        let error = try #require(throws: ConfigError.self) { try names("web,wbe_us,!nothing*") }
        #expect(error.all.map(\.key) == ["wbe_us", "!nothing*"])
        #expect(error.all[0].suggestion == "web_us")
        #expect(error.code == .noMatch)
    }
}
