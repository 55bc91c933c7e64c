import Foundation
import RolloutStore
import Testing

/// One fleet, one key: every path to the same inventory file resolves to its canonical path.
@Suite struct InventoryIdentityTests {
    @Test func everyPathToTheSameFileIsOneFleet() throws {
        let root = NSTemporaryDirectory() + "identity-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(
            atPath: root + "/project/inventories", withIntermediateDirectories: true)
        let file = root + "/project/inventories/lab.yml"
        try "all: {}\n".write(toFile: file, atomically: true, encoding: .utf8)
        try "all: {}\n".write(toFile: root + "/project/inventories/prod.yml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: root + "/project")

        let key = InventoryIdentity.key(ofFile: root + "/link/inventories/./lab.yml")
        #expect(key == InventoryIdentity.canonicalPath(file) && key.hasPrefix("/") && !key.contains("/link/"))
        let names = [
            root + "/project/inventories/../inventories/lab.yml", root + "/link/inventories/lab.yml",
            root + "/project/inventories/prod.yml", "inventories/gone.yml", key,
        ]
        #expect(
            Set(InventoryIdentity.spellings(of: key, among: names))
                == [key, root + "/project/inventories/../inventories/lab.yml", root + "/link/inventories/lab.yml"])
        #expect(InventoryIdentity.spellings(of: key, among: names).first == key)
        // A file that no longer exists keeps a stable, absolute key.
        #expect(InventoryIdentity.canonicalPath(root + "/missing.yml") == nil)
        #expect(InventoryIdentity.key(ofFile: root + "/project/../missing.yml") == root + "/missing.yml")
    }
}
