import ArgumentParser
import Foundation
import RolloutConfig
import RolloutCore
import RolloutEngine

extension Deploy {
    /// `rollout deploy --simulate SPEC`: plans as usual, then runs the rollout over simulated hosts with the same
    /// engine, journal, lock and reporters. With `hosts=N` the inventory is generated.
    func runSimulation(_ text: String) async throws -> Never {
        let clock = ContinuousClock()
        let start = clock.now
        let spec: SimulationSpec
        do {
            spec = try SimulationSpec.parse(text)
        } catch {
            printError(error.description)
            throw RolloutExit.invalidInput
        }
        var planning = self.planning
        if let count = spec.hosts {
            planning.inventory = try generateInventory(hosts: count)
        }
        let plan = try planning.loadPlan(limit: planning.limit)
        // The planned hosts are all the engine needs (no endpoint is resolved): not parsing the inventory a second
        // time saves seconds at 10,000 hosts.
        let inventory = Inventory(
            file: plan.inventory,
            hosts: plan.hosts.map { InventoryHost(name: $0.name, address: $0.address, port: $0.port, user: $0.user) },
            groups: [:])
        let playbook: Playbook
        do { playbook = try Playbook.load(plan.playbook) } catch {
            printError(error)
            throw RolloutExit.invalidInput
        }
        if let reason = SimulatedFleet.unsupported(plan, hasGateway: playbook.gateway != nil) {
            printError("--simulate: \(reason)")
            throw RolloutExit.invalidInput
        }
        let fleet = SimulatedFleet(spec: spec, plan: plan, connectTimeout: try connection.parsedConnectTimeout())
        try await DeploySession(options: run, connection: connection).run(
            inventory: inventory, plan: plan, vars: planning.vars, simulation: fleet
        ) { settings in
            let outcome = try await RolloutRunner(plan: plan, settings: settings).deploy()
            Self.printSimulationSummary(fleet, hosts: plan.hosts.count, elapsed: clock.now - start)
            return outcome
        }
    }

    /// Writes `<journal directory>/simulated/<name>.yml` with `count` generated hosts and returns its path. An
    /// existing inventory of that name is refused: `hosts=` generates, it never replaces a real fleet's hosts.
    private func generateInventory(hosts count: Int) throws -> String {
        let name = planning.inventory
        if name.contains("/") || (try? Inventory.load(name)) != nil {
            printError(
                "--simulate hosts=\(count) generates the inventory `\(name)`, but that is an existing inventory or a "
                    + "path: drop hosts= to simulate its hosts, or name the simulated fleet otherwise (e.g. sim)")
            throw RolloutExit.invalidInput
        }
        let directory = (JournalState.localDirectory(run.state) as NSString).appendingPathComponent("simulated")
        let path = (directory as NSString).appendingPathComponent("\(name).yml")
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try SimulatedFleet.inventoryYAML(hosts: count).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            printError("cannot write the simulated inventory \(path): \(error)")
            throw RolloutExit.internalError
        }
        return path
    }

    /// One line on stderr: what the simulated hosts answered, the figures `bench/scale` derives its ideal from.
    static func printSimulationSummary(_ fleet: SimulatedFleet, hosts: Int, elapsed: Duration) {
        let figures = fleet.stats.figures
        let perHost = hosts == 0 ? 0 : Double(figures.operations) / Double(hosts)
        let mean = figures.operations == 0 ? 0 : figures.delay.milliseconds / Double(figures.operations)
        let line = String(
            format: "simulation: %d hosts, %d operations (%.2f per host), mean delay %.1f ms, %d failures injected, "
                + "%d unreachable, wall %.3f s\n", hosts, figures.operations, perHost, mean, figures.failures,
            figures.unreachable, elapsed.milliseconds / 1000)
        FileHandle.standardError.write(Data(line.utf8))
    }
}
