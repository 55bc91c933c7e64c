import Foundation
import RolloutConfig
import RolloutStore

/// How `--inventory` names a fleet for the lock and the journal's history: by its key in `journal`
/// (``JournalStore/fleetKey(ofFile:)``: the canonical path of its file, or its path inside the project in a shared
/// journal), so that `lab`, `./inventories/lab.yml` and an absolute path are one fleet.
enum FleetKey {
    /// The names among `names` (inventories as journaled, or lock keys) that the fleet `argument` (a name or a
    /// path, as `--inventory` takes it) goes by: its key and every path to the same file; only `argument` itself
    /// when it names no file (an inventory deleted since is still found under the path it was journaled with).
    static func spellings(_ argument: String, in journal: JournalStore, among names: [String]) -> [String] {
        guard let file = try? Inventory.locate(argument), InventoryIdentity.canonicalPath(file) != nil else {
            return [argument]
        }
        return journal.fleetSpellings(of: journal.fleetKey(ofFile: file), among: names)
    }
}
