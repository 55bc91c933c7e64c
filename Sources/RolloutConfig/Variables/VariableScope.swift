/// The variables visible while rendering templates for one host, already merged in precedence order.
///
/// Names may be dotted to reach into mappings (`host.address`, `db.port`). A variable whose value is itself a
/// template is rendered in the same scope, so inventory values such as `"{{ host.name }}"` work.
public struct VariableScope: Sendable, Equatable {
    public var values: [String: ConfigValue]

    public init(_ values: [String: ConfigValue]) {
        self.values = values
    }

    /// The value a dotted name refers to, unrendered.
    public func lookup(_ name: String) -> ConfigValue? {
        lookup(path: name.split(separator: ".").map(String.init))
    }

    /// The value at a dotted name's segments.
    func lookup(path: [String]) -> ConfigValue? {
        guard let first = path.first, var current = values[first] else { return nil }
        for segment in path.dropFirst() {
            guard case .map(let map) = current, let next = map[segment] else { return nil }
            current = next
        }
        return current
    }

    /// Every defined dotted name (one level into mappings), for suggestions.
    public var knownNames: [String] {
        values.flatMap { key, value -> [String] in
            if case .map(let map) = value { return [key] + map.keys.map { "\(key).\($0)" } }
            return [key]
        }.sorted()
    }

    func render(_ template: Template, stack: [String]) -> Result<String, UndefinedVariables> {
        var output = ""
        var undefined: [UndefinedVariables.Name] = []
        for part in template.parts {
            switch part {
            case .text(let text): output += text
            case .reference(let name, let path):
                guard let value = lookup(path: path) else {
                    undefined.append(.init(name: name, via: stack.last))
                    continue
                }
                if stack.contains(name) {
                    undefined.append(.init(name: name, via: stack.last, isCycle: true))
                    continue
                }
                guard case .string(let text) = value, Template.mayContainReference(text),
                    case .success(let nested) = Template.parse(text, origin: template.origin)
                else {
                    output += value.templateText
                    continue
                }
                switch render(nested, stack: stack + [name]) {
                case .success(let text): output += text
                case .failure(let inner): undefined += inner.names
                }
            }
        }
        return undefined.isEmpty ? .success(output) : .failure(UndefinedVariables(names: undefined))
    }
}
