/// Decides which paths `rollout dev` watches and which changes count: `.gitignore` rules (each file's rules apply
/// below its own directory, later rules win, `!` re-includes), `--exclude` patterns, built-in exclusions (`.git/`,
/// the dev state directory), and `--include` patterns that a changed file must match when any are given.
/// Paths are relative to the working directory, `/`-separated, without a leading `./`. Pure.
public struct WatchFilter: Sendable {
    /// Patterns from one `.gitignore` (or the command line), applied to paths below `base` ("" for the top).
    struct RuleSet: Sendable {
        var base: String
        var patterns: [PathPattern]
    }

    /// `.gitignore` rules by directory, and the command line's (built-in exclusions and `--exclude`).
    private var gitignores: [String: RuleSet] = [:]
    private let commandLine: RuleSet
    private let includes: [PathPattern]

    public init(excludes: [String], includes: [String], stateDirectory: String) {
        let builtIn = [".git/", "/" + stateDirectory + "/"]
        commandLine = RuleSet(base: "", patterns: (builtIn + excludes).compactMap(PathPattern.init))
        self.includes = includes.compactMap(PathPattern.init)
    }

    /// Sets the rules of the `.gitignore` in `directory` ("" for the top), replacing what it said before. Comments
    /// and blank lines are skipped.
    public mutating func addGitignore(_ text: String, in directory: String) {
        let patterns = text.split(separator: "\n", omittingEmptySubsequences: false).compactMap {
            PathPattern(String($0.hasSuffix("\r") ? $0.dropLast() : $0))
        }
        gitignores[directory] = RuleSet(base: directory, patterns: patterns)
    }

    /// Outer `.gitignore` files first, so a deeper one overrides them; the command line last, so `--exclude` wins
    /// over a `!` in any `.gitignore`.
    private var ruleSets: [RuleSet] {
        gitignores.values.sorted {
            ($0.base.split(separator: "/").count, $0.base) < ($1.base.split(separator: "/").count, $1.base)
        }
            + [commandLine]
    }

    /// True when `path` or a directory above it is ignored (git does not look inside an ignored directory either).
    public func isIgnored(_ path: String, isDirectory: Bool) -> Bool {
        let components = path.split(separator: "/")
        for depth in 1...max(components.count, 1) where depth <= components.count {
            let isLast = depth == components.count
            if ignoredItself(Array(components[..<depth]), isDirectory: isLast ? isDirectory : true) { return true }
        }
        return false
    }

    /// True when a change of the file `path` should trigger a build (or a reload): not ignored, and matching an
    /// `--include` pattern when any was given.
    public func counts(_ path: String) -> Bool {
        if isIgnored(path, isDirectory: false) { return false }
        guard !includes.isEmpty else { return true }
        let components = path.split(separator: "/")
        return includes.contains { $0.matches(components, isDirectory: false) }
    }

    private func ignoredItself(_ components: [Substring], isDirectory: Bool) -> Bool {
        var ignored = false
        for set in ruleSets {
            // "" is the top: every path is below it.
            let base = set.base.split(separator: "/")
            guard components.count > base.count, Array(components.prefix(base.count)) == base else { continue }
            let relative = Array(components.dropFirst(base.count))
            for pattern in set.patterns where pattern.matches(relative, isDirectory: isDirectory) {
                ignored = !pattern.negated
            }
        }
        return ignored
    }
}
