extension Inventory {
    /// The hosts a `--limit` value selects, in inventory order; all hosts when `limit` is nil or empty.
    ///
    /// Patterns are separated by `,` or `:`. A pattern is a host name, a group name (every host in it and its
    /// descendants) or a glob over both (`web*`, `h?`, `db[12]`); `all` and `*` match everything. Plain
    /// patterns add hosts, `&pattern` keeps only hosts also matched by it, `!pattern` removes hosts, in that
    /// order whatever the order written, as in Ansible. A pattern that matches no host is an error naming it.
    public func select(limit: String?) throws -> [InventoryHost] {
        guard let limit, !limit.trimmingWhitespace().isEmpty else { return hosts }
        let patterns = Self.splitPatterns(limit)
        var union: Set<String> = []
        var intersections: [Set<String>] = []
        var exclusions: Set<String> = []
        var sawPositive = false
        var problems: [ConfigError] = []
        for pattern in patterns {
            let (op, body) =
                pattern.first == "!" || pattern.first == "&"
                ? (pattern.first!, String(pattern.dropFirst())) : (Character(" "), pattern)
            let matched = hostNames(matching: body)
            if matched.isEmpty {
                let candidates = hosts.map(\.name) + groups.keys.sorted()
                problems.append(
                    ConfigError(
                        .noMatch, file: file, key: pattern,
                        message: "--limit pattern matches no host or group in this inventory",
                        suggestion: Suggestion.closest(to: body, in: candidates)))
                continue
            }
            switch op {
            case "!": exclusions.formUnion(matched)
            case "&": intersections.append(matched)
            default:
                sawPositive = true
                union.formUnion(matched)
            }
        }
        if let error = ConfigError.combine(problems) { throw error }
        // Like Ansible, a limit made only of exclusions or intersections starts from every host.
        var selected = sawPositive ? union : Set(hosts.map(\.name))
        for set in intersections { selected.formIntersection(set) }
        selected.subtract(exclusions)
        return hosts.filter { selected.contains($0.name) }
    }

    /// Splits a limit at `,` and at `:` outside brackets (`web-[12]:db` is two patterns).
    static func splitPatterns(_ limit: String) -> [String] {
        var patterns: [String] = []
        var current = ""
        var depth = 0
        for c in limit {
            if c == "[" { depth += 1 }
            if c == "]" { depth = max(0, depth - 1) }
            if c == "," || (c == ":" && depth == 0) {
                patterns.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        patterns.append(current)
        return patterns.map { String($0.trimmingWhitespace()) }.filter { !$0.isEmpty }
    }

    /// Names of the hosts a single pattern (without `!`/`&`) matches.
    func hostNames(matching pattern: String) -> Set<String> {
        if pattern == "all" || pattern == "*" { return Set(hosts.map(\.name)) }
        var names: Set<String> = []
        let isGlob = pattern.contains { "*?[".contains($0) }
        // By index: `for host in hosts` copies every host (a dozen references each) of a 10,000-host inventory.
        for i in hosts.indices where isGlob ? Glob.matches(pattern, hosts[i].name) : hosts[i].name == pattern {
            names.insert(hosts[i].name)
        }
        for group in groups.keys where isGlob ? Glob.matches(pattern, group) : group == pattern {
            for i in hosts.indices where hosts[i].groups.contains(group) { names.insert(hosts[i].name) }
        }
        return names
    }
}
