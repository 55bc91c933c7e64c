import Yams

extension RawInventory {
    static let groupKeys = ["hosts", "children", "vars"]

    /// Reads Ansible's YAML inventory structure: top-level keys are groups (normally just `all`); a group
    /// mapping has only `hosts`, `children` and `vars`.
    mutating func readYAML(_ root: Node) {
        guard let entries = YAMLReading.entries(root, key: nil, diagnostics: diagnostics) else { return }
        for entry in entries {
            readGroup(entry.key, entry.value, keyNode: entry.keyNode, parent: nil)
        }
    }

    private mutating func readGroup(_ name: String, _ node: Node, keyNode: Node, parent: String?) {
        guard checkGroupName(name, at: keyNode) else { return }
        defineGroup(name, line: keyNode.mark?.line)
        if let parent, name != "all" { addChild(name, to: parent) }
        guard let entries = YAMLReading.entries(node, key: name, diagnostics: diagnostics) else { return }
        for entry in entries {
            switch entry.key {
            case "hosts":
                for host in YAMLReading.entries(entry.value, key: "hosts", diagnostics: diagnostics) ?? [] {
                    readHost(host, group: name)
                }
            case "children":
                for child in YAMLReading.entries(entry.value, key: "children", diagnostics: diagnostics) ?? [] {
                    readGroup(child.key, child.value, keyNode: child.keyNode, parent: name)
                }
            case "vars":
                mergeGroupVars(readVars(entry.value, key: "vars"), into: name)
            default:
                diagnostics.unknownKey(
                    entry.key, at: entry.keyNode, allowed: Self.groupKeys, what: "group `\(name)`")
            }
        }
    }

    private mutating func readHost(_ entry: YAMLEntry, group: String) {
        let vars = readVars(entry.value, key: entry.key)
        let names: [String]
        do {
            names = try HostPattern.expand(entry.key)
        } catch {
            diagnostics.report(.invalidValue, error.message, at: entry.keyNode, key: entry.key)
            return
        }
        for name in names { addHost(name, to: group, vars: vars) }
    }

    private func readVars(_ node: Node, key: String) -> [String: ConfigValue] {
        var vars: [String: ConfigValue] = [:]
        var seen: [String: String] = [:]
        for entry in YAMLReading.entries(node, key: key, diagnostics: diagnostics) ?? [] {
            let at = entry.keyNode.mark
            readVariable(
                entry.key, YAMLReading.value(entry.value), line: at?.line, column: at?.column, into: &vars,
                seen: &seen)
        }
        return vars
    }

    private func checkGroupName(_ name: String, at node: Node) -> Bool {
        if name.isEmpty || name.contains(where: { $0.isWhitespace || ":[],!&".contains($0) }) {
            diagnostics.report(
                .invalidValue, "invalid group name: use letters, digits, `_`, `-` and `.`", at: node, key: name)
            return false
        }
        if Self.groupKeys.contains(name), node.mark?.column == 1 {
            diagnostics.report(
                .unknownKey, "`\(name)` at the top level: an inventory starts with `all:`", at: node, key: name,
                suggestion: "all")
            return false
        }
        return true
    }
}
