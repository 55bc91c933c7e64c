/// A word of an INI inventory line, split like a shell would (quotes group, `#` after a space ends the line).
struct INIToken: Equatable {
    struct UnterminatedQuote: Error {}

    var text: String
    /// Whether any part of the word was quoted: a quoted value is always a string.
    var quoted: Bool

    static func split(_ line: Substring) throws(UnterminatedQuote) -> [INIToken] {
        var tokens: [INIToken] = []
        var current = ""
        var quoted = false
        var inWord = false
        var quote: Character?
        var iterator = line.makeIterator()
        while let c = iterator.next() {
            if let q = quote {
                if c == q {
                    quote = nil
                } else if c == "\\", q == "\"", let next = iterator.next() {
                    current.append(next)
                } else {
                    current.append(c)
                }
                continue
            }
            if c.isWhitespace {
                if inWord { tokens.append(INIToken(text: current, quoted: quoted)) }
                (current, quoted, inWord) = ("", false, false)
            } else if c == "#" && !inWord {
                break
            } else if c == "\"" || c == "'" {
                (quote, quoted, inWord) = (c, true, true)
            } else {
                current.append(c)
                inWord = true
            }
        }
        if quote != nil { throw UnterminatedQuote() }
        if inWord { tokens.append(INIToken(text: current, quoted: quoted)) }
        return tokens
    }
}
