import RolloutConfig
import Testing

@testable import RolloutCore

/// Plans for 1, 7, 100 and 1,000 hosts under every batching form, with and without `max_unavailable`, without a
/// canary, with a canary by count and with one by group: the invariants every plan must keep.
@Suite struct PlanMatrixTests {
    static let fleetSizes = [1, 7, 100, 1000]

    /// Every batching form: `serial` counts, percentages and ramps, and `window`.
    static let batchingForms = [
        "serial: 1", "serial: 3", "serial: \"30%\"", "serial: \"1%\"", "serial: \"100%\"", "serial: [1, 5, \"25%\"]",
        "serial: [2, \"10%\", \"50%\"]", "window: 4", "window: \"10%\"",
    ]
    static let ceilings: [String?] = [nil, "max_unavailable: 2", "max_unavailable: \"20%\""]
    static let canaries: [String?] = [nil, "canary: {hosts: 1, bake: 1m}", "canary: {hosts: canary}"]

    /// `count` hosts `h0001`...; the first two (or the only one) also form the group `canary`.
    static func fleet(_ count: Int) throws -> Inventory {
        var text = "all:\n  children:\n    web:\n      hosts:\n"
        for i in 1...count { text += "        h\(String(format: "%04d", i)): {}\n" }
        text += "    canary:\n      hosts:\n"
        for i in 1...min(2, count) { text += "        h\(String(format: "%04d", i)): {}\n" }
        return try Inventory.parseYAML(text, file: "inventories/fleet.yml")
    }

    /// Ansible's `pct_to_int`, as Python computes it: `int((pct / 100.0) * total) or 1`.
    static func ansibleSize(_ item: String, of total: Int) -> Int {
        guard item.hasSuffix("%") else { return Int(item)! }
        let value = Int((Double(Int(item.dropLast())!) / 100.0) * Double(total))
        return value == 0 ? 1 : value
    }

    /// The batch sizes Ansible's `_get_serialized_batches` gives for `count` hosts (the last item repeats).
    static func ansibleBatches(_ items: [String], count: Int, base: Int, ceiling: Int?) -> [Int] {
        var sizes: [Int] = []
        var left = count
        var index = 0
        while left > 0 {
            let size = min(min(ansibleSize(items[index], of: base), ceiling ?? .max), left)
            sizes.append(size)
            left -= size
            index = min(index + 1, items.count - 1)
        }
        return sizes
    }

    /// The items of a `serial:` line as written (`[1, 5, "25%"]` → `1`, `5`, `25%`).
    static func serialItems(_ form: String) -> [String]? {
        guard form.hasPrefix("serial: ") else { return nil }
        let body = form.dropFirst("serial: ".count).filter { !"[]\" ".contains($0) }
        return body.split(separator: ",").map(String.init)
    }

    @Test(arguments: fleetSizes, batchingForms)
    func everyHostExactlyOnceInNonEmptyBatchesWithinTheCeilingCanaryFirstAndAlone(hosts: Int, form: String) throws {
        let inventory = try Self.fleet(hosts)
        let names = inventory.hosts.map(\.name)
        for ceilingLine in Self.ceilings {
            for canaryLine in Self.canaries {
                let body = ([form, ceilingLine, canaryLine].compactMap { $0 } + ["hosts: web"]).joined(separator: "\n")
                try check(body, inventory: inventory, names: names, hosts: hosts)
            }
        }
    }

    private func check(_ body: String, inventory: Inventory, names: [String], hosts: Int) throws {
        let playbook = try PlanFixtures.playbook(body + "\n")
        let request = PlanRequest(
            inventory: inventory, playbook: playbook, version: ResolvedVersion(version: "1", source: .commandLine),
            artifact: PlanFixtures.artifact)
        let ceiling = playbook.batching.maxUnavailable?.absolute(of: hosts)
        let canaryCount: Int =
            switch playbook.canary?.selection {
            case .count(let n)?: n
            case .pattern?: min(2, hosts)
            case nil: 0
            }
        if ceiling.map({ canaryCount > $0 }) ?? false || (canaryCount >= hosts && hosts > 1) {
            // A canary wider than the ceiling, or one that is the whole fleet, is rejected, never planned.
            #expect(throws: ConfigError.self, "\(body)") { try Planner.plan(request) }
            return
        }
        let plan = try Planner.plan(request)
        let planned = plan.batches.flatMap(\.hosts)
        #expect(planned.count == hosts, "\(body): every host exactly once")
        #expect(Set(planned) == Set(names), "\(body)")
        #expect(!plan.batches.contains { $0.hosts.isEmpty }, "\(body): no empty batch")
        #expect(plan.batches.map(\.index) == Array(1...plan.batches.count))
        for batch in plan.batches {
            #expect(batch.concurrency >= 1 && (batch.concurrency <= batch.hosts.count || batch.kind == .window))
            if let ceiling { #expect(batch.concurrency <= ceiling, "\(body): batch \(batch.index) over the ceiling") }
            if batch.kind == .serial || batch.kind == .canary { #expect(batch.concurrency == batch.hosts.count) }
        }
        let expectedCanary = Array(names.prefix(canaryCount))
        if canaryCount > 0 {
            #expect(plan.batches[0].kind == .canary && plan.batches[0].hosts == expectedCanary, "\(body)")
            #expect(!plan.batches.dropFirst().contains { $0.kind == .canary })
        } else {
            #expect(!plan.batches.contains { $0.kind == .canary })
        }
        let rest = plan.batches.filter { $0.kind != .canary }
        // Hosts keep inventory order after the canary.
        #expect(rest.flatMap(\.hosts) == names.filter { !expectedCanary.contains($0) })
        if let items = Self.serialItems(body.split(separator: "\n")[0].description) {
            let expected = Self.ansibleBatches(items, count: hosts - canaryCount, base: hosts, ceiling: ceiling)
            #expect(rest.map(\.hosts.count) == expected, "\(body): Ansible's rounding")
        } else if let rest = rest.first {
            #expect(plan.batches.filter { $0.kind == .window }.count == 1)
            let window = playbook.batching.mode
            if case .window(let size) = window {
                #expect(rest.concurrency == min(size.absolute(of: hosts), ceiling ?? .max), "\(body)")
            }
        }
    }

    @Test func thirtyPercentOfSevenHostsIsTwoAsInAnsible() throws {
        // int(7 * 30 / 100) = int(2.1) = 2; the last batch takes the single host left.
        let plan = try Planner.plan(
            PlanRequest(
                inventory: Self.fleet(7), playbook: PlanFixtures.playbook("hosts: web\nserial: \"30%\"\n"),
                version: ResolvedVersion(version: "1", source: .commandLine), artifact: PlanFixtures.artifact))
        #expect(plan.batches.map(\.hosts.count) == [2, 2, 2, 1])
    }

    @Test func theLastMatchingOverrideDecidesAHostsStrategy() throws {
        let plan = try PlanFixtures.plan(
            """
            strategy: hot
            gateway: {type: command, drain: "off {{ host.name }}", restore: "on {{ host.name }}"}
            overrides:
              web: {strategy: drain}
              canary: {strategy: hot}
            """, hosts: 4)
        #expect(plan.hosts.map(\.strategy) == [.hot, .hot, .drain, .drain])
    }
}
