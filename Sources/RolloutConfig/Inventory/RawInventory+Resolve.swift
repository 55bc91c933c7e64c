extension RawInventory {
    /// Links groups under `all`, puts hosts of no group into `ungrouped`, and merges every host's variables
    /// in Ansible's order: groups by depth (distance from `all`, longest path), then `ansible_group_priority`,
    /// then name, later winning; host variables last. Reports cycles and child groups that are never defined.
    func resolve(file: String) -> Inventory {
        var groups = self.groups
        let childNames = Set(groups.filter { $0.key != "all" }.values.flatMap(\.children))
        for name in groups.keys.sorted() where name != "all" && !childNames.contains(name) {
            if !groups["all"]!.children.contains(name) { groups["all"]!.children.append(name) }
        }
        let depth = depths(of: groups)

        // Hosts listed directly under `all` are, canonically, in `ungrouped` unless another group holds them.
        var parentsOfHost: [String: Set<String>] = [:]
        for (name, group) in groups where name != "all" {
            for host in group.hosts { parentsOfHost[host, default: []].insert(name) }
        }
        let order = Dictionary(uniqueKeysWithValues: hostOrder.enumerated().map { ($1, $0) })
        groups["all"]!.hosts = []
        for host in hostOrder where (parentsOfHost[host] ?? []).subtracting(["ungrouped"]).isEmpty {
            if !groups["ungrouped"]!.hosts.contains(host) { groups["ungrouped"]!.hosts.append(host) }
            parentsOfHost[host, default: []].insert("ungrouped")
        }

        let ancestors = ancestorMap(groups)
        var model: [String: InventoryGroup] = [:]
        for (name, group) in groups {
            model[name] = InventoryGroup(
                name: name, hosts: group.hosts.sorted { order[$0]! < order[$1]! }, children: group.children.sorted(),
                vars: group.vars)
        }
        // Hosts of the same groups have the same ordered groups and group variables: computed once per set of
        // groups (a 10,000-host inventory has a few dozen), not once per host.
        var byParents: [Set<String>: (groups: [String], vars: [String: ConfigValue])] = [:]
        let hosts = hostOrder.map { name -> InventoryHost in
            let parents = parentsOfHost[name] ?? []
            let shared: (groups: [String], vars: [String: ConfigValue])
            if let known = byParents[parents] {
                shared = known
            } else {
                shared = Self.groupsAndVars(parents: parents, groups: groups, ancestors: ancestors, depth: depth)
                byParents[parents] = shared
            }
            var vars = shared.vars
            vars.merge(hostVars[name] ?? [:]) { _, new in new }
            return InventoryHost.resolved(name: name, groups: shared.groups, vars: vars)
        }
        return Inventory(file: file, hosts: hosts, groups: model)
    }

    /// The groups of a host in `parents` (and so in their ancestors and `all`) in Ansible's order, and their
    /// variables merged in that order: depth, then `ansible_group_priority` (default 1), then name, later winning.
    private static func groupsAndVars(
        parents: Set<String>, groups: [String: Group], ancestors: [String: Set<String>], depth: [String: Int]
    ) -> (groups: [String], vars: [String: ConfigValue]) {
        var member = Set<String>(["all"])
        for group in parents { member.formUnion(ancestors[group] ?? [group]) }
        func priority(_ group: String) -> Int {
            groups[group]?.vars[ConnectionKey.groupPriorityKey]?.intValue ?? 1
        }
        let sorted = member.sorted {
            (depth[$0] ?? 0, priority($0), $0) < (depth[$1] ?? 0, priority($1), $1)
        }
        var vars: [String: ConfigValue] = [:]
        for group in sorted { vars.merge(groups[group]?.vars ?? [:]) { _, new in new } }
        return (sorted, vars)
    }

    /// Longest distance from `all` for every group reachable from it; a cycle is reported once.
    private func depths(of groups: [String: Group]) -> [String: Int] {
        var depth: [String: Int] = ["all": 0]
        var visiting: Set<String> = []
        var reportedCycle = false
        func visit(_ name: String, _ d: Int) {
            guard !visiting.contains(name) else {
                if !reportedCycle {
                    reportedCycle = true
                    diagnostics.report(
                        .invalidValue, "group `\(name)` is its own ancestor (a cycle in `children`)",
                        line: groups[name]?.line, key: name)
                }
                return
            }
            if let known = depth[name], d <= known, d > 0 { return }
            depth[name] = d
            visiting.insert(name)
            for child in groups[name]?.children ?? [] { visit(child, d + 1) }
            visiting.remove(name)
        }
        visit("all", 0)
        for name in groups.keys.sorted() where depth[name] == nil && !reportedCycle {
            reportedCycle = true
            diagnostics.report(
                .invalidValue, "group `\(name)` is its own ancestor (a cycle in `children`)", line: groups[name]?.line,
                key: name)
        }
        return depth
    }

    /// For every group, itself and all groups above it.
    private func ancestorMap(_ groups: [String: Group]) -> [String: Set<String>] {
        var parents: [String: Set<String>] = [:]
        for (name, group) in groups {
            for child in group.children { parents[child, default: []].insert(name) }
        }
        var result: [String: Set<String>] = [:]
        for name in groups.keys {
            var seen: Set<String> = [name]
            var queue = [name]
            while let next = queue.popLast() {
                for parent in parents[next] ?? [] where seen.insert(parent).inserted { queue.append(parent) }
            }
            result[name] = seen
        }
        return result
    }
}

extension InventoryHost {
    /// A host whose connection settings come from its merged (already checked) variables.
    static func resolved(name: String, groups: [String], vars: [String: ConfigValue]) -> InventoryHost {
        InventoryHost(
            name: name, groups: groups, vars: vars, address: vars["address"]?.stringValue,
            port: vars["port"]?.intValue ?? 22,
            user: vars["user"]?.stringValue, identityFile: vars["identity_file"]?.stringValue,
            knownHosts: vars["known_hosts"]?.stringValue, proxyJump: vars["proxy_jump"]?.stringValue)
    }
}
