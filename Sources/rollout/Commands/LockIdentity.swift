import Foundation
import RolloutConfig
import RolloutStore

/// How `--inventory` names a fleet for the lock and the journal's history: by the canonical path of its file
/// (``InventoryIdentity``), so that `lab`, `./inventories/lab.yml` and an absolute path are one fleet.
enum FleetKey {
    /// The canonical path of the file `argument` (a name or a path, as `--inventory` takes it) names; nil when
    /// there is no such file.
    static func key(_ argument: String) -> String? {
        guard let file = try? Inventory.locate(argument) else { return nil }
        return InventoryIdentity.canonicalPath(file)
    }

    /// The names among `names` (inventories as journaled, or lock keys) that the fleet `argument` goes by: its
    /// key and every path to the same file; only `argument` itself when it names no file (an inventory deleted
    /// since is still found under the path it was journaled with).
    static func spellings(_ argument: String, among names: [String]) -> [String] {
        guard let key = key(argument) else { return [argument] }
        return InventoryIdentity.spellings(of: key, among: names)
    }
}
