import Yams

/// Reads one YAML mapping of a configuration file key by key, reporting every problem with file, line and
/// the key's dotted path, and every key that is not allowed (with the closest allowed one as suggestion).
final class MappingReader {
    let diagnostics: Diagnostics
    /// Dotted path of this mapping (`health[0]`); empty at the top level.
    let path: String
    let node: Node
    private var entries: [String: YAMLEntry] = [:]

    /// Nil, with the problem reported, when `node` is not a mapping (a null node reads as empty).
    init?(_ node: Node, path: String, allowed: [String], diagnostics: Diagnostics) {
        self.diagnostics = diagnostics
        self.path = path
        self.node = node
        guard let list = YAMLReading.entries(node, key: path.isEmpty ? nil : path, diagnostics: diagnostics) else {
            return nil
        }
        let what = path.isEmpty ? "the playbook" : "`\(path)`"
        for entry in list {
            if allowed.contains(entry.key) {
                entries[entry.key] = entry
            } else {
                diagnostics.unknownKey(
                    entry.key, at: entry.keyNode, path: keyPath(entry.key), allowed: allowed, what: what)
            }
        }
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool { entries[key] != nil }

    /// The raw entry, for callers that read it themselves.
    func entry(_ key: String) -> YAMLEntry? { entries[key] }

    func origin(_ key: String) -> ConfigOrigin {
        let mark = entries[key]?.value.mark ?? node.mark
        return ConfigOrigin(file: diagnostics.file, line: mark?.line, column: mark?.column, key: keyPath(key))
    }

    /// Reports `message` about `key`, at its value if present, else at this mapping.
    func problem(_ key: String, _ problem: ValueProblem, suggestion: String? = nil) {
        diagnostics.report(problem, at: entries[key]?.value ?? node, key: keyPath(key), suggestion: suggestion)
    }

    func requireKey(_ key: String, _ what: String) {
        guard entries[key] == nil else { return }
        diagnostics.report(.missingKey, "required: \(what)", at: node, key: keyPath(key))
    }

    func value(_ key: String) -> ConfigValue? {
        entries[key].map { YAMLReading.value($0.value) }
    }

    /// A plain string (no templating): a YAML scalar that is not a mapping or list. Numbers are accepted as text.
    func string(_ key: String, required what: String? = nil) -> String? {
        if let what { requireKey(key, what) }
        guard let value = value(key) else { return nil }
        switch value {
        case .string(let s) where !s.isEmpty: return s
        case .int, .double: return value.description
        case .string: problem(key, .value("must not be empty", found: "\"\"", allowed: "a non-empty string"))
        default:
            problem(key, .type("expected a string, found \(value.typeName)", found: "\(value)", allowed: "a string"))
        }
        return nil
    }

    /// A string that may contain `{{ variables }}`, checked for template syntax now and rendered per host later;
    /// `context` says what the text becomes (shell text quotes its values).
    func template(_ key: String, required what: String? = nil, context: Template.Context = .text) -> Template? {
        guard let text = string(key, required: what) else { return nil }
        switch Template.parse(text, origin: origin(key), context: context) {
        case .success(let template): return template
        case .failure(let problem):
            self.problem(key, problem)
            return nil
        }
    }

    func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .int(let number) = value else {
            problem(
                key,
                .type(
                    "expected an integer in \(range.lowerBound)...\(range.upperBound), found \(value.typeName)",
                    found: "\(value)", allowed: "an integer in \(range.lowerBound)...\(range.upperBound)"))
            return nil
        }
        guard range.contains(number) else {
            problem(
                key,
                .value(
                    "\(number) is outside \(range.lowerBound)...\(range.upperBound)", found: "\(number)",
                    allowed: "\(range.lowerBound)...\(range.upperBound)"))
            return nil
        }
        return number
    }

    func bool(_ key: String) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else {
            problem(
                key, .type("expected true or false, found \(value.typeName)", found: "\(value)", allowed: "true, false")
            )
            return nil
        }
        return flag
    }

    func duration(_ key: String) -> Duration? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else {
            let hint = value.intValue.map { "\($0)s" }
            problem(
                key,
                .type(
                    "expected a duration such as `30s`, `5m` or `1h30m`, found \(value.typeName)", found: "\(value)",
                    allowed: ConfigDuration.allowed),
                suggestion: hint)
            return nil
        }
        switch ConfigDuration.check(text) {
        case .success(let duration): return duration
        case .failure(var failure):
            failure.found = failure.found ?? text
            failure.allowed = failure.allowed ?? ConfigDuration.allowed
            problem(key, failure, suggestion: Int(text).map { "\($0)s" })
            return nil
        }
    }

    func size(_ key: String) -> Int64? {
        guard let value = value(key) else { return nil }
        switch ConfigSize.parse(value) {
        case .success(let bytes): return bytes
        case .failure(var failure):
            failure.found = failure.found ?? "\(value)"
            problem(key, failure)
            return nil
        }
    }

    /// One of a fixed set of words; anything else is reported with the allowed words and the closest one.
    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, _ type: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        guard let value = value(key) else { return nil }
        let allowed = Choice.allCases.map(\.rawValue)
        if case .string(let text) = value, let choice = Choice(rawValue: text) { return choice }
        let list = allowed.map { "`\($0)`" }.joined(separator: ", ")
        problem(
            key, .value("`\(value)` is not allowed (allowed: \(list))", found: "\(value)", allowed: list),
            suggestion: Suggestion.closest(to: value.description, in: allowed))
        return nil
    }

    func mapping(_ key: String, allowed: [String]) -> MappingReader? {
        guard let entry = entries[key] else { return nil }
        return MappingReader(entry.value, path: keyPath(key), allowed: allowed, diagnostics: diagnostics)
    }

    /// The items of a list (a single non-list value reads as a one-item list), each with its dotted path.
    func list(_ key: String) -> [(node: Node, path: String)] {
        guard let entry = entries[key] else { return [] }
        guard case .sequence(let sequence) = entry.value else {
            if YAMLReading.isNull(entry.value) { return [] }
            return [(entry.value, keyPath(key))]
        }
        return sequence.enumerated().map { ($1, "\(keyPath(key))[\($0)]") }
    }

    /// A mapping of user variables (any keys).
    func variables(_ key: String) -> [String: ConfigValue] {
        guard let value = value(key) else { return [:] }
        guard case .map(let map) = value else {
            problem(
                key,
                .type(
                    "expected a mapping of variables, found \(value.typeName)", found: "\(value)",
                    allowed: "a mapping of variables"))
            return [:]
        }
        return map
    }
}
