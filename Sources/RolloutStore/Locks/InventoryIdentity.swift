import Foundation

/// The identity a fleet is locked under and its history found by: the canonical path of its inventory file
/// (`realpath(3)`: absolute, symlinks, `.` and `..` resolved), so that `--inventory lab`,
/// `./inventories/lab.yml` and `/srv/project/inventories/lab.yml` are one fleet.
///
/// Rollouts are journaled with the inventory path as the planner printed it (relative to the directory the
/// controller ran in), and locks written before migration `v3-lock-identity` are keyed by that path too: such
/// spellings are resolved the same way, from the current directory, when they are read
/// (``spellings(of:among:)``). Nothing stored is rewritten.
public enum InventoryIdentity {
    /// The canonical path of the file at `path` (relative to the current directory), nil when it does not exist.
    public static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The lock key of the inventory file at `path`: its canonical path, or the path made absolute and
    /// standardized when it cannot be resolved.
    public static func key(ofFile path: String) -> String {
        if let canonical = canonicalPath(path) { return canonical }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (absolute as NSString).standardizingPath
    }

    /// Of `names` (inventory paths as journaled or locked), those that are spellings of the fleet `key`: `key`
    /// itself and every path that resolves to the same file.
    public static func spellings(of key: String, among names: [String]) -> [String] {
        var result = [key]
        for name in Set(names).sorted() where name != key && canonicalPath(name) == key { result.append(name) }
        return result
    }

    /// The key of the fleet whose inventory file is at `path` in a journal shared by several machines (PostgreSQL):
    /// its path inside the project, from the `inventories` directory on (`inventories/lab.yml`,
    /// `inventories/eu/prod.yml`), the same on every CI runner and laptop that checked the project out, wherever it
    /// did. The file is resolved first (symlinks, `.`, `..`) when it exists here; a path with no `inventories`
    /// directory keeps its ``key(ofFile:)`` (an absolute path, only shared by machines that use the same one).
    public static func projectKey(ofFile path: String) -> String {
        let absolute = key(ofFile: path)
        let components = absolute.split(separator: "/", omittingEmptySubsequences: true)
        guard let index = components.lastIndex(of: "inventories"), index < components.count - 1 else {
            return absolute
        }
        return components[index...].joined(separator: "/")
    }

    /// Like ``spellings(of:among:)`` for a ``projectKey(ofFile:)``: the names whose project key is `key`.
    public static func projectSpellings(of key: String, among names: [String]) -> [String] {
        var result = [key]
        for name in Set(names).sorted() where name != key && projectKey(ofFile: name) == key { result.append(name) }
        return result
    }
}
