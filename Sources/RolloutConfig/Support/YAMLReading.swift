import Yams

/// One entry of a YAML mapping with its key as text and the key's node (for its line and column).
struct YAMLEntry {
    var key: String
    var keyNode: Node
    var value: Node
}

/// Reads YAML into nodes that keep their line and column, turning Yams' errors into `ConfigError`s.
enum YAMLReading {
    /// The document's root node; nil (with the problem reported) when the text is not valid YAML.
    /// An empty document is reported as an empty mapping.
    static func compose(_ text: String, diagnostics: Diagnostics) -> Node? {
        do {
            // Scalars' implicit types are decided by `YAMLScalarTag`, far faster than Yams' regular expressions.
            return try Yams.compose(yaml: text, .basic) ?? Node.mapping(Node.Mapping([]))
        } catch let error as YamlError {
            diagnostics.append(convert(error, file: diagnostics.file))
            return nil
        } catch {
            diagnostics.report(.syntax, "cannot read YAML: \(error)", line: nil)
            return nil
        }
    }

    private static func convert(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let text = [context?.text, problem].compactMap { $0 }.joined(separator: " ")
            return ConfigError(
                .syntax, file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(text)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(
                .duplicateKey, file: file, line: context.mark.line, column: context.mark.column,
                key: duplicates.joined(separator: "`, `"),
                message: "appears more than once in the same mapping; keep one")
        default:
            return ConfigError(.syntax, file: file, message: "invalid YAML: \(error)")
        }
    }

    /// The entries of a mapping in file order, with YAML merge keys (`<<: *defaults`) expanded; explicit keys
    /// win over merged ones. A null node reads as an empty mapping. Anything else is reported and gives nil.
    static func entries(_ node: Node, key: String?, diagnostics: Diagnostics) -> [YAMLEntry]? {
        if isNull(node) { return [] }
        guard case .mapping(let mapping) = node else {
            diagnostics.report(
                .invalidType, "expected a mapping, found \(describe(node))", at: node, key: key, found: describe(node),
                allowed: "a mapping")
            return nil
        }
        var explicit: [YAMLEntry] = []
        var merged: [YAMLEntry] = []
        for (keyNode, value) in mapping {
            if YAMLScalarTag.isMergeKey(keyNode) {
                let sources: [Node] = if case .sequence(let seq) = value { Array(seq) } else { [value] }
                for source in sources {
                    merged += entries(source, key: key, diagnostics: diagnostics) ?? []
                }
                continue
            }
            let text = keyNode.scalar?.string ?? "\(keyNode)"
            explicit.append(YAMLEntry(key: text, keyNode: keyNode, value: value))
        }
        let explicitKeys = Set(explicit.map(\.key))
        var seen = Set<String>()
        let fromMerge = merged.filter { !explicitKeys.contains($0.key) && seen.insert($0.key).inserted }
        return fromMerge + explicit
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && YAMLScalarTag.name(of: node) == Tag.Name.null.rawValue
    }

    /// The node as a configuration value, following YAML's core types (a timestamp stays text).
    static func value(_ node: Node) -> ConfigValue {
        switch node {
        case .scalar(let scalar):
            switch YAMLScalarTag.name(of: node) {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue:
                return YAMLScalarTag.bool(scalar.string).map(ConfigValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map(ConfigValue.int) ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return node.float.map(ConfigValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let seq):
            return .list(seq.map(value))
        case .mapping:
            var map: [String: ConfigValue] = [:]
            for entry in entries(node, key: nil, diagnostics: Diagnostics(file: "")) ?? [] {
                map[entry.key] = value(entry.value)
            }
            return .map(map)
        case .alias:
            return .null
        }
    }

    /// "a string", "a list", ... for error messages.
    static func describe(_ node: Node) -> String {
        value(node).typeName
    }
}
