/// Finds the word a user probably meant among the allowed ones, by edit distance.
public enum Suggestion {
    /// The closest candidate within a distance that scales with the word's length, or nil.
    public static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        let limit = max(1, min(4, (word.count + 1) / 2))
        var best: (String, Int)?
        for candidate in candidates {
            var d = distance(word.lowercased(), candidate.lowercased())
            // `bake_time` for `bake`: a key that starts with an allowed one (or is its start) is a likely slip.
            let (short, long) = word.count < candidate.count ? (word, candidate) : (candidate, word)
            if short.count >= 3, long.lowercased().hasPrefix(short.lowercased()) { d = min(d, limit) }
            if d <= limit, d < (best?.1 ?? Int.max) { best = (candidate, d) }
            if normalized(word) == normalized(candidate) { return candidate }
        }
        return best?.0
    }

    /// Lowercased with `_`, `-` and `.` removed: `identityFile`, `identity-file` and `identityfile` coincide.
    static func normalized(_ word: String) -> String {
        String(word.lowercased().filter { $0 != "_" && $0 != "-" && $0 != "." })
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions
    /// each cost 1, so `prot` is one edit from `port`.
    static func distance(_ a: String, _ b: String) -> Int {
        let s = Array(a)
        let t = Array(b)
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: t.count + 1), count: s.count + 1)
        for i in 0...s.count { d[i][0] = i }
        for j in 0...t.count { d[0][j] = j }
        for i in 1...s.count {
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[s.count][t.count]
    }
}
