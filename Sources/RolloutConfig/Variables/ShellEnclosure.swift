/// The shell quotes a template reference is written inside, found by reading the literal text before it the way
/// a POSIX shell does (`'…'`, `"…"`, backslash escapes, and `$(…)` or backquotes, which start a fresh unquoted
/// context even inside double quotes).
///
/// A value is always written as one `ShellQuote` word; inside quotes, a value that needs quoting closes them
/// first and reopens them after, so `echo "on {{ x }}"` with `x` = `a"b` renders `echo "on "'a"b'""`: one word,
/// `on a"b`.
enum ShellEnclosure: Sendable, Hashable {
    case none
    case singleQuotes
    case doubleQuotes

    /// How a value that needed quoting (`quoted` is its `ShellQuote` word) is written at this place.
    func write(_ value: String, quoted: String) -> String {
        if quoted == value || (value.isEmpty && self != .none) { return value }
        switch self {
        case .none: return quoted
        case .singleQuotes: return "'" + quoted + "'"
        case .doubleQuotes: return "\"" + quoted + "\""
        }
    }

    /// Follows the quoting state through the literal parts of one template, in order.
    struct Scanner {
        private enum Frame {
            case word  // unquoted: the top level, or inside `$(…)` / backquotes
            case single
            case double
            case substitution  // `$(`, closed by its `)`
            case parenthesis  // `(` inside a substitution
            case backquote
        }

        private var stack: [Frame] = [.word]
        private var escaped = false

        var enclosure: ShellEnclosure {
            switch stack.last! {
            case .single: return .singleQuotes
            case .double: return .doubleQuotes
            default: return .none
            }
        }

        mutating func scan(_ text: String) {
            var previous: Character = " "
            for character in text {
                defer { previous = character }
                if escaped {
                    escaped = false
                    continue
                }
                let top = stack.last!
                switch (top, character) {
                case (.single, "'"): stack.removeLast()
                case (.single, _): break
                case (_, "\\"): escaped = true
                case (.double, "\""): stack.removeLast()
                case (.backquote, "`"): stack.removeLast()
                case (_, "`"): stack.append(.backquote)
                case (_, "(") where previous == "$": stack.append(.substitution)
                case (.double, _): break
                case (_, "'"): stack.append(.single)
                case (_, "\""): stack.append(.double)
                case (.substitution, "("), (.parenthesis, "("): stack.append(.parenthesis)
                case (.substitution, ")"), (.parenthesis, ")"): stack.removeLast()
                default: break
                }
            }
        }
    }
}
