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

    /// `template` rendered. A variable's own value rendered inside another template is `nested`: its references
    /// are inserted as they are, and the outer template quotes and checks the value as a whole.
    func render(_ template: Template, stack: [String], nested: Bool = false, quote: (String) -> String)
        -> Result<String, UndefinedVariables>
    {
        var output = ""
        var undefined: [UndefinedVariables.Name] = []
        for part in template.parts {
            switch part {
            case .text(let text): output += text
            case .reference(let name, let path, let filter, let enclosing):
                guard let value = lookup(path: path) else {
                    undefined.append(.init(name: name, via: stack.last))
                    continue
                }
                if stack.contains(name) {
                    undefined.append(.init(name: name, via: stack.last, isCycle: true))
                    continue
                }
                let text: String
                if case .string(let raw) = value, Template.mayContainReference(raw),
                    case .success(let valueTemplate) = Template.parse(raw, origin: template.origin, asValue: true)
                {
                    switch render(valueTemplate, stack: stack + [name], nested: true, quote: quote) {
                    case .success(let rendered): text = rendered
                    case .failure(let inner):
                        undefined += inner.names
                        continue
                    }
                } else {
                    text = value.templateText
                }
                if nested {
                    output += text
                    continue
                }
                if let unfit = Self.unfitCharacter(in: text, context: template.context) {
                    undefined.append(.init(name: name, via: stack.last, unfit: unfit))
                    continue
                }
                let quoted = template.context == .shell && filter != .raw
                output += quoted ? enclosing.write(text, quoted: quote(text)) : text
            }
        }
        return undefined.isEmpty ? .success(output) : .failure(UndefinedVariables(names: undefined))
    }

    /// What in `value` the context cannot hold: NUL nowhere (a command line, a path or a file line is C text
    /// somewhere), line breaks not in a single-line value (a URL, a path, a name).
    static func unfitCharacter(in value: String, context: Template.Context) -> String? {
        for byte in value.utf8 {
            switch byte {
            case 0: return "a NUL byte, which no command line, path or file can hold"
            case UInt8(ascii: "\n") where context == .text:
                return "a newline, which a one-line value (a URL, a path, an address, a name) cannot hold"
            case UInt8(ascii: "\r") where context == .text:
                return "a carriage return, which a one-line value (a URL, a path, an address, a name) cannot hold"
            default: continue
            }
        }
        return nil
    }
}
