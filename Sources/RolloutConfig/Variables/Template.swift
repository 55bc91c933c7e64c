/// A configuration string that may refer to variables as `{{ name }}`, `{{ host.address }}` or, in shell text,
/// `{{ name | quote }}` and `{{ name | raw }}`.
///
/// Syntax is checked when the file is read; references are resolved per host by `render(in:quotingWith:)`, and
/// a reference no variable defines is an error reported by `rollout check`, never discovered mid-rollout.
///
/// How a value is written depends on the template's `Context`: in shell text every value is one shell word
/// (quoted) unless written `| raw`; elsewhere values are inserted as they are, and a value that would break the
/// line it lands in (a newline, a NUL byte) is an error.
public struct Template: Sendable, Equatable, Hashable {
    /// What the rendered text becomes.
    public enum Context: String, Sendable, Hashable {
        /// A single-line value rollout uses itself: a URL, a path, an address, a gateway name. Values are inserted
        /// as they are; a value holding a newline, a carriage return or a NUL byte is an error.
        case text
        /// Text given to `sh -c` (hooks, command health checks, gateway commands, nginx reload, config
        /// `validate`): every value is shell-quoted as its own word, unless written `{{ name | raw }}`.
        case shell
        /// Lines of a deployed file (config templates) and agent settings: values as they are; NUL is an error.
        case content
    }

    /// What may follow `|` in a reference.
    enum Filter: String, Sendable, Hashable, CaseIterable {
        /// Shell-quote the value: what shell text does by default, accepted so it can be written explicitly.
        case quote
        /// Insert the value into shell text unquoted: the value is shell code (dangerous with untrusted input).
        case raw
    }

    enum Part: Sendable, Equatable, Hashable {
        case text(String)
        /// The dotted name, its segments (split once here, not at every render), its filter and the shell
        /// quotes it is written inside (always `.none` outside shell text).
        case reference(String, path: [String], filter: Filter?, enclosing: ShellEnclosure)
    }

    /// The text as written.
    public var text: String
    /// Where it was written, for error messages.
    public var origin: ConfigOrigin
    /// How values are written into it.
    public let context: Context
    let parts: [Part]

    /// The dotted names the template refers to, in order of appearance.
    public var references: [String] {
        parts.compactMap { if case .reference(let name, _, _, _) = $0 { name } else { nil } }
    }

    /// A template with no references (its text is used as is).
    public init(literal text: String, origin: ConfigOrigin, context: Context = .text) {
        self.text = text
        self.origin = origin
        self.context = context
        self.parts = [.text(text)]
    }

    private init(text: String, origin: ConfigOrigin, context: Context, parts: [Part]) {
        self.text = text
        self.origin = origin
        self.context = context
        self.parts = parts
    }

    /// Parses `{{ name }}` references; names are dotted identifiers (`host.address`, `db.port`), optionally
    /// followed by one filter: `quote` or `raw`, both only in shell text.
    ///
    /// `asValue`: the text is a variable's value, rendered into another template that quotes or checks the result
    /// as a whole; filters are accepted (and do nothing) and nothing is checked about shell quoting.
    static func parse(_ text: String, origin: ConfigOrigin, context: Context = .text, asValue: Bool = false)
        -> Result<Template, ValueProblem>
    {
        var parts: [Part] = []
        var rest = Substring(text)
        var shell = ShellEnclosure.Scanner()
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex {
                let literal = String(rest[..<open.lowerBound])
                shell.scan(literal)
                parts.append(.text(literal))
            }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                return .failure(.value("`{{` without a closing `}}` in `\(text)`"))
            }
            let expression = String(rest[open.upperBound..<close.lowerBound].trimmingWhitespace())
            switch reference(expression, context: asValue ? .shell : context) {
            case .failure(let problem): return .failure(problem)
            case .success(let (name, filter)):
                let enclosing = context == .shell ? shell.enclosure : .none
                if context == .shell, !asValue,
                    let problem = shellProblem(expression, filter, enclosing, shell.endsInEscape)
                {
                    return .failure(problem)
                }
                parts.append(
                    .reference(
                        name, path: name.split(separator: ".").map(String.init), filter: filter, enclosing: enclosing))
            }
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return .success(Template(text: text, origin: origin, context: context, parts: parts))
    }

    /// `name` or `name | filter`, checked against what `context` allows.
    private static func reference(_ expression: String, context: Context) -> Result<(String, Filter?), ValueProblem> {
        let pieces = expression.split(separator: "|", omittingEmptySubsequences: false).map {
            String($0.trimmingWhitespace())
        }
        let name = pieces[0]
        guard isDottedName(name) else {
            return .failure(
                .value(
                    "`{{ \(expression) }}` is not a variable name; write `{{ name }}`, `{{ a.b }}` or `{{ name | quote }}`"
                ))
        }
        guard pieces.count > 1 else { return .success((name, nil)) }
        let allowed = Filter.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
        guard pieces.count == 2 else {
            return .failure(
                .value("`{{ \(expression) }}` has more than one filter; write one of \(allowed)", found: expression))
        }
        guard let filter = Filter(rawValue: pieces[1]) else {
            let close = Suggestion.closest(to: pieces[1], in: Filter.allCases.map(\.rawValue))
            return .failure(
                .value(
                    "unknown filter `\(pieces[1])` in `{{ \(expression) }}`; the filters are \(allowed)"
                        + (close.map { " (did you mean `\($0)`?)" } ?? ""),
                    found: pieces[1], allowed: allowed))
        }
        guard context == .shell else {
            return .failure(
                .value(
                    "`{{ \(expression) }}`: `\(filter.rawValue)` applies only to shell text (hook and command `run:`, "
                        + "gateway commands, nginx `reload`, config `validate`); here values are inserted as they are",
                    found: expression))
        }
        return .success((name, filter))
    }

    /// Why a reference cannot be written where it is in shell text: after a `\` that would escape the value's
    /// first character, or in a here-document body, where no quoting keeps a value literal.
    private static func shellProblem(
        _ expression: String, _ filter: Filter?, _ enclosing: ShellEnclosure, _ afterEscape: Bool
    ) -> ValueProblem? {
        if afterEscape {
            return .value(
                "`\\{{ \(expression) }}`: the `\\` would escape the value's first character; remove it (the value "
                    + "is one quoted word already)", found: expression)
        }
        if enclosing == .hereDocument && filter != .raw {
            return .value(
                "`{{ \(expression) }}` is inside a here-document, where the shell expands `$(…)` even in quotes and "
                    + "a line of the value could end the document; pass it as an argument (`printf '%s\\n' "
                    + "{{ \(expression) }} > FILE`), or write `{{ \(expression) | raw }}` for a trusted value",
                found: expression)
        }
        return nil
    }

    /// Whether `text` contains `{{` (a byte scan: this runs for every variable of every host).
    static func mayContainReference(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "{") && previous == byte { return true }
            previous = byte
        }
        return false
    }

    static func isDottedName(_ name: String) -> Bool {
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        return !name.isEmpty
            && segments.allSatisfy { segment in
                guard let first = segment.first, first.isLetter || first == "_" else { return false }
                return segment.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            }
    }

    /// The text with every reference replaced by its value in `scope`, or every undefined name and every value
    /// the context cannot hold.
    ///
    /// `quote` turns a value into one shell word (RolloutCore passes `ShellQuote.quote`, the project's one
    /// quoting helper, which RolloutConfig cannot import); it is called only for shell text.
    public func render(in scope: VariableScope, quotingWith quote: (String) -> String)
        -> Result<String, UndefinedVariables>
    {
        scope.render(self, stack: [], quote: quote)
    }

    /// `render` of a template that is not shell text (nothing is quoted in it).
    func renderUnquoted(in scope: VariableScope) -> Result<String, UndefinedVariables> {
        precondition(context != .shell, "shell text is rendered with a quoting function")
        return render(in: scope, quotingWith: { $0 })
    }
}

/// The names a template referred to that no variable defines, and through which variable each was reached; and
/// the values that cannot be written where the template puts them.
public struct UndefinedVariables: Error, Sendable, Equatable {
    public struct Name: Sendable, Equatable, Hashable {
        public var name: String
        /// The variable whose value used the name, when it was not the template itself (`gateway_server`).
        public var via: String?
        /// The name is defined, but its value refers back to itself (`a: "{{ b }}"`, `b: "{{ a }}"`).
        public var isCycle: Bool = false
        /// The name is defined, but its value holds what the template's context cannot: `a newline, which …`.
        public var unfit: String? = nil

        /// One line for an error message: `undefined variable `x``, or what is wrong with its value.
        public var problem: String {
            if let unfit { return "variable `\(name)` holds \(unfit)" }
            if isCycle { return "variable `\(name)` refers to itself" }
            return "undefined variable `\(name)`"
        }
    }

    public var names: [Name]
}
