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

/// In a shared journal a fleet is keyed by its path inside the project, the same in every checkout.
@Suite struct ProjectKeyTests {
    @Test func twoCheckoutsOfOneProjectHaveOneKey() throws {
        let root = NSTemporaryDirectory() + "project-key-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        for checkout in ["runner-a/work", "runner-b"] {
            try FileManager.default.createDirectory(
                atPath: "\(root)/\(checkout)/inventories/eu", withIntermediateDirectories: true)
            try "all: {}\n".write(
                toFile: "\(root)/\(checkout)/inventories/eu/prod.yml", atomically: true, encoding: .utf8)
        }
        let a = InventoryIdentity.projectKey(ofFile: root + "/runner-a/work/inventories/eu/./prod.yml")
        let b = InventoryIdentity.projectKey(ofFile: root + "/runner-b/inventories/../inventories/eu/prod.yml")
        #expect(a == "inventories/eu/prod.yml" && b == a)
        // Another machine's absolute spelling, which does not exist here, still names the same fleet.
        #expect(InventoryIdentity.projectKey(ofFile: "/builds/ci/inventories/eu/prod.yml") == a)
        // Outside an inventories directory the key stays absolute.
        #expect(InventoryIdentity.projectKey(ofFile: "/etc/fleet.yml") == "/etc/fleet.yml")
        #expect(
            InventoryIdentity.projectSpellings(
                of: a, among: ["/builds/ci/inventories/eu/prod.yml", "inventories/x.yml"])
                == [a, "/builds/ci/inventories/eu/prod.yml"])
    }
}
