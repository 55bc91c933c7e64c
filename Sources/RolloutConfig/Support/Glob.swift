/// Shell-style wildcard matching for host and group names: `*`, `?` and `[abc]` / `[a-z]` / `[!a]`.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        matches(Array(pattern)[...], Array(text)[...])
    }

    private static func matches(_ p: ArraySlice<Character>, _ t: ArraySlice<Character>) -> Bool {
        guard let first = p.first else { return t.isEmpty }
        switch first {
        case "*":
            let rest = p.dropFirst()
            var tail = t
            while true {
                if matches(rest, tail) { return true }
                guard !tail.isEmpty else { return false }
                tail = tail.dropFirst()
            }
        case "?":
            return !t.isEmpty && matches(p.dropFirst(), t.dropFirst())
        case "[":
            guard let close = p.dropFirst().firstIndex(of: "]"), let c = t.first else {
                return t.first == "[" && matches(p.dropFirst(), t.dropFirst())
            }
            var set = p[p.index(after: p.startIndex)..<close]
            let negate = set.first == "!"
            if negate { set = set.dropFirst() }
            return inSet(c, set) != negate && matches(p[p.index(after: close)...], t.dropFirst())
        default:
            return t.first == first && matches(p.dropFirst(), t.dropFirst())
        }
    }

    private static func inSet(_ c: Character, _ set: ArraySlice<Character>) -> Bool {
        let chars = Array(set)
        var i = 0
        while i < chars.count {
            if i + 2 < chars.count, chars[i + 1] == "-" {
                if chars[i] <= c && c <= chars[i + 2] { return true }
                i += 3
            } else {
                if chars[i] == c { return true }
                i += 1
            }
        }
        return false
    }
}
