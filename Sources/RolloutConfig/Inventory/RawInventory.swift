/// An inventory as read from one file, before groups are linked and variables merged.
///
/// Both the YAML and the INI reader fill this same structure; `resolve()` turns it into an `Inventory`,
/// which is why the two formats of one fleet load to equal models.
struct RawInventory {
    struct Group {
        var hosts: [String] = []
        var children: [String] = []
        var vars: [String: ConfigValue] = [:]
        var line: Int?
    }

    let diagnostics: Diagnostics
    private(set) var hostOrder: [String] = []
    private(set) var hostVars: [String: [String: ConfigValue]] = [:]
    private(set) var groups: [String: Group] = [:]

    init(diagnostics: Diagnostics) {
        self.diagnostics = diagnostics
        groups["all"] = Group()
        groups["ungrouped"] = Group()
    }

    mutating func defineGroup(_ name: String, line: Int?) {
        if groups[name] == nil {
            groups[name] = Group(line: line)
        } else if groups[name]!.line == nil {
            groups[name]!.line = line
        }
    }

    func hasGroup(_ name: String) -> Bool { groups[name] != nil }

    mutating func addChild(_ child: String, to parent: String) {
        defineGroup(parent, line: nil)
        if !groups[parent]!.children.contains(child) { groups[parent]!.children.append(child) }
    }

    /// Adds a host to a group (defining the host on first sight); a host listed twice keeps its first position
    /// and merges its variables, later definitions winning, as Ansible does.
    mutating func addHost(_ host: String, to group: String, vars: [String: ConfigValue]) {
        if hostVars[host] == nil {
            hostOrder.append(host)
            hostVars[host] = [:]
        }
        hostVars[host]!.merge(vars) { _, new in new }
        defineGroup(group, line: nil)
        if !groups[group]!.hosts.contains(host) { groups[group]!.hosts.append(host) }
    }

    mutating func mergeGroupVars(_ vars: [String: ConfigValue], into group: String) {
        defineGroup(group, line: nil)
        groups[group]!.vars.merge(vars) { _, new in new }
    }

    /// Reads one `key: value` of a host or group: connection keys are checked and stored under their
    /// canonical name; misspelt and unsupported keys are reported. `seen` maps canonical names to the key
    /// used in this same mapping, to catch `address` and `ansible_host` given together.
    func readVariable(
        _ key: String, _ value: ConfigValue, line: Int?, column: Int?, into vars: inout [String: ConfigValue],
        seen: inout [String: String]
    ) {
        switch ConnectionKey.classify(key) {
        case .user:
            if key == ConnectionKey.groupPriorityKey, value.intValue == nil {
                diagnostics.report(
                    .invalidType, "expected an integer, found \(value.typeName)", line: line, column: column, key: key)
                return
            }
            vars[key] = value
        case .misspelt(let suggestion):
            diagnostics.report(
                .unknownKey, "unknown key (looks like the connection key `\(suggestion)`)", line: line,
                column: column, key: key, suggestion: suggestion)
        case .unsupportedAnsible(let suggestion):
            let allowed = ConnectionKey.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
            diagnostics.report(
                .unknownKey, "Ansible variable not supported by rollout (connection keys: \(allowed))",
                line: line, column: column, key: key, suggestion: suggestion)
        case .connection(let connection):
            let canonical = connection.rawValue
            if let other = seen[canonical], other != key {
                diagnostics.report(
                    .duplicateKey, "sets `\(canonical)` a second time (also set by `\(other)`); keep one",
                    line: line, column: column, key: key)
                return
            }
            seen[canonical] = key
            switch connection.check(value) {
            case .success(let normalised): vars[canonical] = normalised
            case .failure(let problem):
                diagnostics.report(
                    problem.code, problem.message, line: line, column: column, key: key, found: problem.found,
                    allowed: problem.allowed)
            }
        }
    }
}
