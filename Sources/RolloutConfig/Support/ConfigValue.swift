/// A configuration value as written in an inventory, a playbook or on the command line.
///
/// YAML scalars keep the type YAML gives them (`22` is an `.int`, `"22"` a `.string`); INI values are
/// typed the way Ansible's INI parser types them (see `Inventory.parseINI`).
public enum ConfigValue: Sendable, Equatable, Hashable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case list([ConfigValue])
    case map([String: ConfigValue])
    case null

    /// The value as a string for templating: scalars print plainly, lists and maps as compact JSON-like text.
    public var templateText: String {
        switch self {
        case .string(let s): return s
        default: return description
        }
    }

    /// A name for the value's type, used in error messages ("expected an integer, found a string").
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a boolean"
        case .list: return "a list"
        case .map: return "a mapping"
        case .null: return "null"
        }
    }

    /// The value when it is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value when it is an integer.
    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }
}

extension ConfigValue: CustomStringConvertible {
    /// Scalars as plain text; strings inside lists and maps are quoted; map keys are sorted so the text is stable.
    public var description: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .list(let items): return "[" + items.map(\.quotedDescription).joined(separator: ", ") + "]"
        case .map(let map):
            let body = map.keys.sorted().map { "\"\($0)\": \(map[$0]!.quotedDescription)" }
            return "{" + body.joined(separator: ", ") + "}"
        }
    }

    private var quotedDescription: String {
        if case .string(let s) = self { return "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        return description
    }
}
