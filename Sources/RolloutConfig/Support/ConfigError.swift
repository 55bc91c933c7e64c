/// A configuration problem, located in its file as precisely as the source allows.
///
/// Its `description` is one line an editor can jump to:
/// `inventories/prod.yml:12:5: key `adress`: unknown key; did you mean `address`?`.
/// Loading reports every problem it finds in one pass: the first is this error, the others are in `others`,
/// and `description` prints them all, one per line.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A stable identifier for the kind of problem, for scripts and tests.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A YAML or INI syntax error.
        public static let syntax = Code(rawValue: "syntax")
        /// A file that does not exist or cannot be read.
        public static let fileNotFound = Code(rawValue: "file-not-found")
        /// A key that is not allowed at its position.
        public static let unknownKey = Code(rawValue: "unknown-key")
        /// A key that appears twice in one mapping.
        public static let duplicateKey = Code(rawValue: "duplicate-key")
        /// A required key that is absent.
        public static let missingKey = Code(rawValue: "missing-key")
        /// A value of the wrong type (a string where an integer belongs, ...).
        public static let invalidType = Code(rawValue: "invalid-type")
        /// A value of the right type outside what is allowed (a port of 70000, an empty address, ...).
        public static let invalidValue = Code(rawValue: "invalid-value")
        /// A `{{ name }}` that no variable defines.
        public static let undefinedVariable = Code(rawValue: "undefined-variable")
        /// A reference to a host or group that does not exist, or a `--limit` pattern that matches nothing.
        public static let noMatch = Code(rawValue: "no-match")
    }

    public var code: Code
    /// The file the problem is in, as the user named it (`inventories/prod.yml`).
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// The key concerned (dotted path for nested playbook keys: `health.http.timeout`).
    public var key: String?
    /// What is wrong, and what is allowed.
    public var message: String
    /// The likely intended value or key (`address` for `adress`).
    public var suggestion: String?
    /// The value (or key) found, as written in the file, when the problem is about a value.
    public var found: String?
    /// What is allowed there (`1...65535`, `` `hot`, `drain` ``, `a duration such as 30s`), when known.
    public var allowed: String?
    /// Further problems found in the same pass.
    public var others: [ConfigError]

    public init(
        _ code: Code, file: String, line: Int? = nil, column: Int? = nil, key: String? = nil, message: String,
        suggestion: String? = nil, found: String? = nil, allowed: String? = nil
    ) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
        self.suggestion = suggestion
        self.found = found
        self.allowed = allowed
        self.others = []
    }

    /// This error and every further one, each without `others`.
    public var all: [ConfigError] {
        var first = self
        first.others = []
        return [first] + others
    }

    /// Every problem, one per line: `file:line:column: key `k`: message; did you mean `s`?`, the message completed
    /// by the value found when it does not quote it already (`..., found a string `many``).
    public var description: String {
        all.map(\.singleLine).joined(separator: "\n")
    }

    private var singleLine: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": "
        if let key { text += "key `\(key)`: " }
        text += message
        // The value found is shown when neither the message nor the key quotes it already; type errors end in
        // "found a string", which the value completes.
        if let found, !found.isEmpty, !message.contains(found), !(key ?? "").hasSuffix(found) {
            text += message.contains(", found a") ? " `\(found)`" : " (found `\(found)`)"
        }
        if let suggestion { text += "; did you mean `\(suggestion)`?" }
        return text
    }

    /// Combines several errors into one thrown value (the first, with the rest in `others`); nil when empty.
    public static func combine(_ errors: [ConfigError]) -> ConfigError? {
        let flat = errors.flatMap(\.all)
        guard var first = flat.first else { return nil }
        first.others = Array(flat.dropFirst())
        return first
    }
}
