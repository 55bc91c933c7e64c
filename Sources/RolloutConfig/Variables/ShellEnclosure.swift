/// The shell quotes a template reference is written inside, found by reading the literal text before it the way
/// a POSIX shell does (`'…'`, `"…"`, backslash escapes, `$(…)` or backquotes, which start a fresh unquoted
/// context even inside double quotes, and here-documents).
///
/// A value is always written as one `ShellQuote` word; inside quotes, a value that needs quoting closes them
/// first and reopens them after, so `echo "on {{ x }}"` with `x` = `a"b` renders `echo "on "'a"b'""`: one word,
/// `on a"b`. In a here-document body no quoting keeps a value literal (`$(…)` is expanded inside `'…'` there, and
/// a line of the value could end the document), so a reference there must be written `| raw`.
enum ShellEnclosure: Sendable, Hashable {
    case none
    case singleQuotes
    case doubleQuotes
    case hereDocument

    /// How a value that needed quoting (`quoted` is its `ShellQuote` word) is written at this place.
    func write(_ value: String, quoted: String) -> String {
        if quoted == value || (value.isEmpty && self != .none) { return value }
        switch self {
        case .none, .hereDocument: return quoted  // `.hereDocument` only with `| raw`: the parser rejects others
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
            case parenthesis  // `(` inside a substitution (or `$((` arithmetic)
            case backquote
        }

        /// The word after `<<` (or `<<-`), read with its quotes removed.
        private struct Delimiter {
            var stripTabs = false
            var word = ""
            var started = false
            var quote: Character?
        }

        private struct HereDocument {
            var delimiter: String
            var stripTabs: Bool
            var line = ""
        }

        private var stack: [Frame] = [.word]
        private var escaped = false
        private var previous: Character = " "
        private var delimiter: Delimiter?
        private var pending: [HereDocument] = []
        private var body: HereDocument?

        var enclosure: ShellEnclosure {
            if body != nil { return .hereDocument }
            switch stack.last! {
            case .single: return .singleQuotes
            case .double: return .doubleQuotes
            default: return .none
            }
        }

        /// The text so far ends in an unquoted `\`, which would escape the first character of a value.
        var endsInEscape: Bool { escaped }

        mutating func scan(_ text: String) {
            for character in text {
                step(character)
                previous = character
            }
        }

        private mutating func step(_ character: Character) {
            if var document = body {
                if character == "\n" {
                    let line = document.stripTabs ? String(document.line.drop { $0 == "\t" }) : document.line
                    body = line == document.delimiter ? (pending.isEmpty ? nil : pending.removeFirst()) : document
                    body?.line = ""
                } else {
                    document.line.append(character)
                    body = document
                }
                return
            }
            if delimiter != nil && readDelimiter(character) { return }
            if escaped {
                escaped = false
                return
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
            case (.parenthesis, _): break
            case (_, "<") where previous == "<": delimiter = Delimiter()
            case (_, "\n") where !pending.isEmpty: body = pending.removeFirst()
            default: break
            }
        }

        /// Reads one character of a here-document's delimiter word; false when the word ended before it (the
        /// character is then read as usual).
        private mutating func readDelimiter(_ character: Character) -> Bool {
            guard var word = delimiter else { return false }
            if let quote = word.quote {
                if character == quote { word.quote = nil } else { word.word.append(character) }
            } else if !word.started && (character == " " || character == "\t") {
                // Blanks before the word.
            } else if !word.started && character == "-" && !word.stripTabs {
                word.stripTabs = true
            } else if !word.started && character == "<" {
                delimiter = nil  // `<<<`: a here-string, not a here-document
                return true
            } else if character == "'" || character == "\"" {
                word.quote = character
                word.started = true
            } else if character == "\\" {
                word.started = true
            } else if " \t\n;|&<>()".contains(character) {
                if word.started { pending.append(HereDocument(delimiter: word.word, stripTabs: word.stripTabs)) }
                delimiter = nil
                return false
            } else {
                word.word.append(character)
                word.started = true
            }
            delimiter = word
            return true
        }
    }
}
