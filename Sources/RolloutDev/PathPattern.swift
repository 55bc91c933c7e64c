import Glibc

/// One gitignore-style pattern, relative to a base directory (`git help gitignore`): `*`, `?` and `[...]` within one
/// path component, `**` across components, a trailing `/` for directories only, a leading `!` to re-include, and a
/// pattern with a `/` before its end anchored at the base (otherwise it matches a name at any depth).
public struct PathPattern: Sendable, Equatable {
    public let text: String
    public let negated: Bool
    let directoryOnly: Bool
    let anchored: Bool
    let segments: [String]

    /// Parses one line of a `.gitignore` (or an `--include`/`--exclude` value); nil for a blank line or a comment.
    public init?(_ line: String) {
        var body = Substring(line)
        // Trailing spaces are ignored unless escaped with a backslash.
        while body.hasSuffix(" ") && !body.hasSuffix("\\ ") { body = body.dropLast() }
        guard !body.isEmpty, !body.hasPrefix("#") else { return nil }
        text = line
        negated = body.hasPrefix("!")
        if negated { body = body.dropFirst() }
        if body.hasPrefix("\\#") || body.hasPrefix("\\!") { body = body.dropFirst() }
        directoryOnly = body.hasSuffix("/")
        while body.hasSuffix("/") { body = body.dropLast() }
        anchored = body.contains("/")
        while body.hasPrefix("/") { body = body.dropFirst() }
        guard !body.isEmpty else { return nil }
        segments = body.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// Whether the path `components` (relative to the pattern's base) matches. `isDirectory` is the type of the last
    /// component.
    public func matches(_ components: [Substring], isDirectory: Bool) -> Bool {
        if directoryOnly && !isDirectory { return false }
        guard let last = components.last else { return false }
        if !anchored { return Self.component(segments[0], matches: last) }
        return Self.match(segments[...], components[...])
    }

    private static func match(_ pattern: ArraySlice<String>, _ path: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            let rest = pattern.dropFirst()
            if rest.isEmpty { return !path.isEmpty }  // `dir/**`: everything inside, not dir itself
            var tail = path
            while true {
                if match(rest, tail) { return true }
                guard !tail.isEmpty else { return false }
                tail = tail.dropFirst()
            }
        }
        guard let name = path.first, component(first, matches: name) else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    /// fnmatch(3) on one component: `*` and `?` never cross a `/` because there is none in `name`.
    static func component(_ pattern: String, matches name: Substring) -> Bool {
        fnmatch(pattern, String(name), 0) == 0
    }
}
