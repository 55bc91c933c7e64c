import ArgumentParser
import Foundation
import RolloutConfig

/// `--inventory` and `--limit`, shared by every command that works on hosts.
struct InventoryOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Inventory name (inventories/NAME.yml, .yaml or .ini) or path.")
    var inventory: String

    @Option(
        name: .shortAndLong,
        help: "Hosts to work on: names, groups and globs (web*), comma-separated; !name excludes, &group intersects.")
    var limit: String?

    /// Loads the inventory and selects the hosts. Prints the error and exits 2 (invalid input) on an
    /// invalid inventory or a `--limit` that matches nothing; touches no host either way.
    func load() throws -> (Inventory, [InventoryHost]) {
        let inventory: Inventory
        do {
            inventory = try Inventory.load(self.inventory)
        } catch {
            printError(error)
            throw RolloutExit.invalidInput
        }
        do {
            return (inventory, try inventory.select(limit: limit))
        } catch {
            printError(error)
            throw RolloutExit.invalidInput
        }
    }
}
