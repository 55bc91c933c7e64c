import Yams

/// The tags of YAML 1.1's implicitly typed plain scalars (`22` an integer, `yes` a boolean, `~` null), exactly
/// as Yams' default resolver gives them, decided mostly without regular expressions.
///
/// Yams' default resolver tries up to seven `NSRegularExpression`s on every plain scalar, which was a quarter
/// of loading a 10,000-host inventory. Documents are therefore composed with `Resolver.basic`, and the
/// readers ask `YAMLScalarTag.name(of:)`: words and punctuation are recognised here, and only scalars that can
/// be numbers or timestamps still go through Yams' own rules.
enum YAMLScalarTag {
    /// The resolved tag of a scalar node (its explicit tag, `str` when quoted, else its implicit type); for a
    /// mapping or sequence, its tag.
    static func name(of node: Node) -> String {
        guard case .scalar(let scalar) = node else { return node.tag.description }
        // Read without resolving: an unresolved implicit tag is written as "" (quoted scalars carry `str`).
        let written = scalar.tag.description
        guard written.isEmpty else { return written }
        return implicit(scalar.string).rawValue
    }

    /// Whether a mapping key is YAML's merge key `<<`. Keys are resolved (by `Resolver.basic`, to `str`) while
    /// Yams checks for duplicates, so an unquoted `<<` is what identifies one.
    static func isMergeKey(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain, scalar.string == "<<" else { return false }
        let written = scalar.tag.description
        return written.isEmpty || written == Tag.Name.str.rawValue || written == Tag.Name.merge.rawValue
    }

    /// The value of a `bool` scalar as Yams reads it (`yes`, `on`, `true` in any case), nil for other text.
    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// The type of an untagged plain scalar under Yams' `Resolver.default` (bool, int, float, merge, null,
    /// timestamp, value, in that order; otherwise str).
    static func implicit(_ text: String) -> Tag.Name {
        let bytes = text.utf8
        guard let first = bytes.first else { return .null }
        // Outside printable ASCII the rules themselves decide (ICU's `$` also matches before a final newline).
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return byRules(text) }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            // Only int, float and timestamp start so, and none has two dots: an IPv4 address is a string.
            var dots = 0
            for byte in bytes where byte == UInt8(ascii: ".") { dots += 1 }
            return dots >= 2 ? .str : byRules(text)
        case UInt8(ascii: "<"): return text == "<<" ? .merge : .str
        case UInt8(ascii: "="): return text == "=" ? .value : .str
        case UInt8(ascii: "~"): return text == "~" ? .null : .str
        default:
            // Starting with anything else, only the bool and null words have a type.
            if boolWords.contains(text) { return .bool }
            if nullWords.contains(text) { return .null }
            return .str
        }
    }

    private static let boolWords: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON",
        "off", "Off", "OFF",
    ]
    private static let nullWords: Set<String> = ["null", "Null", "NULL"]

    /// What Yams' default resolver, regular expressions and all, says (the reference `implicit` must match).
    static func byRules(_ text: String) -> Tag.Name {
        Resolver.default.resolveTag(of: Node(text))
    }
}
