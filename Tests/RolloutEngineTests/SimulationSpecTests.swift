import RolloutConfig
import Testing

@testable import RolloutEngine

/// `--simulate KEY=VALUE,...`: what it accepts, and the key every rejection names.
@Suite struct SimulationSpecTests {
    @Test func theIssuesExampleParses() throws {
        let spec = try SimulationSpec.parse("hosts=10000,latency=20ms..200ms,failure-rate=0.1%")
        #expect(spec.hosts == 10000)
        #expect(spec.latency == .milliseconds(20) ... .milliseconds(200))
        #expect(abs(spec.failureRate - 0.001) < 1e-12)
        #expect(spec.seed == 1 && spec.initialVersion == "sim-0")
        #expect(spec.meanLatency == .milliseconds(110))
    }

    @Test func defaultsAndOtherForms() throws {
        let spec = try SimulationSpec.parse("latency=50ms,failure-rate=0.25,seed=42,initial=v1.9")
        #expect(spec.hosts == nil, "without hosts= the inventory's hosts are simulated")
        #expect(spec.latency == .milliseconds(50) ... .milliseconds(50))
        #expect(spec.failureRate == 0.25 && spec.seed == 42 && spec.initialVersion == "v1.9")
        #expect(try SimulationSpec.parse("hosts=3") == SimulationSpec(hosts: 3))
        #expect(try SimulationSpec.parse("latency=1s..2s").latency == .seconds(1) ... .seconds(2))
        #expect(try SimulationSpec.parse("unreachable=0.5%").unreachableRate == 0.005)
        #expect(try SimulationSpec.parse("unreachable=0.5%").summary.contains("unreachable=0.5%"))
        #expect(!SimulationSpec().summary.contains("unreachable"))
    }

    @Test(arguments: [
        ("hosts=0", "hosts", SimulationSpecError.Code.badValue),
        ("hosts=ten", "hosts", .badValue),
        ("hosts=2000000", "hosts", .badValue),
        ("latency=20..200", "latency", .badValue),
        ("latency=200ms..20ms", "latency", .badValue),
        ("latency=1ms..2ms..3ms", "latency", .badValue),
        ("failure-rate=150%", "failure-rate", .badValue),
        ("failure-rate=-1", "failure-rate", .badValue),
        ("failure-rate=lots", "failure-rate", .badValue),
        ("unreachable=101%", "unreachable", .badValue),
        ("unreachable=some", "unreachable", .badValue),
        ("seed=-3", "seed", .badValue),
        ("initial=a b", "initial", .badValue),
        ("hosts=10,latncy=5ms", "latncy", .unknownKey),
        ("hosts=10,hosts=20", "hosts", .duplicateKey),
        ("hosts", "hosts", .syntax),
        ("", "", .syntax),
    ])
    func rejectionsNameTheKey(text: String, key: String, code: SimulationSpecError.Code) {
        #expect {
            _ = try SimulationSpec.parse(text)
        } throws: { error in
            guard let error = error as? SimulationSpecError else { return false }
            return error.key == key && error.code == code && error.description.contains("key `\(key)`")
        }
    }

    @Test func generatedInventoriesAreValidAndUnroutable() throws {
        let inventory = try Inventory.parseYAML(SimulatedFleet.inventoryYAML(hosts: 12_000), file: "sim.yml")
        #expect(inventory.hosts.count == 12_000)
        #expect(inventory.hosts.first?.name == "sim00001" && inventory.hosts.last?.name == "sim12000")
        #expect(inventory.hosts.allSatisfy { $0.address.hasSuffix(".simulated.invalid") })
        let small = try Inventory.parseYAML(SimulatedFleet.inventoryYAML(hosts: 3), file: "sim.yml")
        #expect(small.hosts.map(\.name) == ["sim0001", "sim0002", "sim0003"])
    }
}
