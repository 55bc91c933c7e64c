/// The part of a simulated host's file system the engine's commands touch: directories, files known by their
/// SHA-256, and symlinks, each with a creation stamp for `ls -t`.
struct SimulatedFileTree: Sendable {
    enum Entry: Sendable, Equatable {
        case directory
        case file(sha256: String)
        case symlink(target: String)
    }

    private(set) var entries: [String: (entry: Entry, stamp: Int)] = [:]
    private var clock = 0

    /// A service root with `releases/<initial>` in place and `current` pointing at it.
    init(root: String?, initialRelease: String) {
        guard let root else { return }
        for directory in [root, "\(root)/releases", "\(root)/shared", "\(root)/releases/\(initialRelease)"] {
            set(directory, .directory)
        }
        set("\(root)/current", .symlink(target: "releases/\(initialRelease)"))
    }

    subscript(path: String) -> Entry? { entries[path]?.entry }

    mutating func set(_ path: String, _ entry: Entry) {
        clock += 1
        entries[path] = (entry, clock)
    }

    /// `mkdir -p`: the directory and any missing parent.
    mutating func makeDirectory(_ path: String) {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if entries[prefix] == nil { set(prefix, .directory) }
        }
    }

    /// `rm -rf`: the path and everything under it.
    mutating func remove(_ path: String) {
        entries[path] = nil
        let below = path + "/"
        for key in entries.keys where key.hasPrefix(below) { entries[key] = nil }
    }

    /// `mv -T`: renames `source` (and what is under it) over `destination`; false when `source` is missing.
    mutating func move(_ source: String, to destination: String) -> Bool {
        guard let moved = entries[source] else { return false }
        remove(destination)
        let below = source + "/"
        for (key, value) in entries where key.hasPrefix(below) {
            entries[key] = nil
            entries[destination + "/" + key.dropFirst(below.count)] = value
        }
        entries[source] = nil
        entries[destination] = moved
        return true
    }

    /// `ls -1t`: the names directly under `directory`, newest first; nil when it is not a directory.
    func list(_ directory: String) -> [String]? {
        guard entries[directory]?.entry == .directory else { return nil }
        let below = directory + "/"
        return entries.filter { $0.key.hasPrefix(below) && !$0.key.dropFirst(below.count).contains("/") }
            .sorted { $0.value.stamp > $1.value.stamp }
            .map { String($0.key.dropFirst(below.count)) }
            .filter { !$0.hasPrefix(".") }
    }
}
