/// A configuration string that may refer to variables as `{{ name }}` or `{{ host.address }}`.
///
/// Syntax is checked when the file is read; references are resolved per host by `render(in:)`, and a
/// reference no variable defines is an error reported by `rollout check`, never discovered mid-rollout.
public struct Template: Sendable, Equatable, Hashable {
    enum Part: Sendable, Equatable, Hashable {
        case text(String)
        /// The dotted name, and its segments (split once here, not at every render).
        case reference(String, path: [String])
    }

    /// The text as written.
    public var text: String
    /// Where it was written, for error messages.
    public var origin: ConfigOrigin
    let parts: [Part]

    /// The dotted names the template refers to, in order of appearance.
    public var references: [String] {
        parts.compactMap { if case .reference(let name, _) = $0 { name } else { nil } }
    }

    /// A template with no references (its text is used as is).
    public init(literal text: String, origin: ConfigOrigin) {
        self.text = text
        self.origin = origin
        self.parts = [.text(text)]
    }

    private init(text: String, origin: ConfigOrigin, parts: [Part]) {
        self.text = text
        self.origin = origin
        self.parts = parts
    }

    /// Parses `{{ name }}` references; names are dotted identifiers (`host.address`, `db.port`).
    /// Filters and expressions (`{{ x | default(1) }}`) are not supported and are reported as such.
    static func parse(_ text: String, origin: ConfigOrigin) -> Result<Template, ValueProblem> {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                return .failure(.value("`{{` without a closing `}}` in `\(text)`"))
            }
            let name = String(rest[open.upperBound..<close.lowerBound].trimmingWhitespace())
            guard isDottedName(name) else {
                let hint = name.contains("|") ? " (filters are not supported)" : ""
                return .failure(
                    .value("`{{ \(name) }}` is not a variable name\(hint); write `{{ name }}` or `{{ a.b }}`"))
            }
            parts.append(.reference(name, path: name.split(separator: ".").map(String.init)))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return .success(Template(text: text, origin: origin, parts: parts))
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

    /// The text with every reference replaced by its value in `scope`, or every undefined name.
    public func render(in scope: VariableScope) -> Result<String, UndefinedVariables> {
        scope.render(self, stack: [])
    }
}

/// The names a template referred to that no variable defines, and through which variable each was reached.
public struct UndefinedVariables: Error, Sendable, Equatable {
    public struct Name: Sendable, Equatable, Hashable {
        public var name: String
        /// The variable whose value used the name, when it was not the template itself (`gateway_server`).
        public var via: String?
        /// The name is defined, but its value refers back to itself (`a: "{{ b }}"`, `b: "{{ a }}"`).
        public var isCycle: Bool = false
    }

    public var names: [Name]
}
