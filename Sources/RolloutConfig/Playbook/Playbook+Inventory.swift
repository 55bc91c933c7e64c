extension Playbook {
    /// Problems that only show against an inventory: patterns (`hosts`, canary, overrides) that match no host
    /// or group, and a gateway `on` that is neither `controller` nor an inventory host.
    public func problems(against inventory: Inventory) -> [ConfigError] {
        var problems: [ConfigError] = []
        let candidates = inventory.hosts.map(\.name) + inventory.groups.keys.sorted()
        func check(_ pattern: String, origin: ConfigOrigin, what: String) {
            do {
                _ = try inventory.select(limit: pattern)
            } catch let error as ConfigError {
                for inner in error.all {
                    problems.append(
                        origin.error(
                            .noMatch, "\(what) `\(inner.key ?? pattern)` matches no host or group in \(inventory.file)",
                            suggestion: inner.suggestion))
                }
            } catch {}
        }
        check(hosts, origin: origin(of: "hosts"), what: "pattern")
        if case .pattern(let pattern)? = canary?.selection {
            check(pattern, origin: origin(of: "canary.hosts"), what: "canary pattern")
        }
        for override in overrides {
            check(override.pattern, origin: override.origin, what: "override pattern")
        }
        if let gateway, gateway.on != "controller", inventory.host(named: gateway.on) == nil {
            problems.append(
                origin(of: "gateway.on").error(
                    .noMatch, "`\(gateway.on)` is neither `controller` nor a host of \(inventory.file)",
                    suggestion: Suggestion.closest(to: gateway.on, in: candidates + ["controller"]),
                    found: gateway.on, allowed: "`controller` or a host of the inventory"))
        }
        return problems
    }

    /// The overrides that apply to a host, in file order (later ones win).
    public func overrides(for host: InventoryHost, in inventory: Inventory) -> [OverrideSpec] {
        overrides(for: host, matches: OverrideMatches(self, inventory))
    }

    public func overrides(for host: InventoryHost, matches: OverrideMatches) -> [OverrideSpec] {
        zip(overrides, matches.hostsPerOverride).filter { $0.1.contains(host.name) }.map(\.0)
    }

    /// The strategy for a host: the last matching override that sets one, else the playbook's.
    public func strategy(for host: InventoryHost, in inventory: Inventory) -> Strategy {
        strategy(for: host, matches: OverrideMatches(self, inventory))
    }

    public func strategy(for host: InventoryHost, matches: OverrideMatches) -> Strategy {
        overrides(for: host, matches: matches).compactMap(\.strategy).last ?? strategy
    }

    /// The health checks for a host: the last matching override that sets them, else the playbook's.
    public func healthChecks(for host: InventoryHost, in inventory: Inventory) -> [HealthCheckSpec] {
        healthChecks(for: host, matches: OverrideMatches(self, inventory))
    }

    public func healthChecks(for host: InventoryHost, matches: OverrideMatches) -> [HealthCheckSpec] {
        overrides(for: host, matches: matches).compactMap(\.health).last ?? health
    }

    /// The variables visible to templates for one host, merged with Ansible's precedence, lowest first:
    /// inventory (`all` → parent groups → child groups → host), playbook `vars`, matching overrides' `vars`,
    /// `--var`. On top, names rollout defines: `host` (`name`, `address`, `port`, `user`, `groups`),
    /// `inventory_hostname`, `version`, and `service` (`name`, `root`, `releases`, `current`, `shared`,
    /// `release`, `keep_releases`).
    public func variables(
        for host: InventoryHost, in inventory: Inventory, extraVars: [String: ConfigValue], version: String
    ) -> VariableScope {
        variables(for: host, matches: OverrideMatches(self, inventory), extraVars: extraVars, version: version)
    }

    public func variables(
        for host: InventoryHost, matches: OverrideMatches, extraVars: [String: ConfigValue], version: String
    ) -> VariableScope {
        var values = host.vars
        values.merge(vars) { _, new in new }
        for override in overrides(for: host, matches: matches) { values.merge(override.vars) { _, new in new } }
        values.merge(extraVars) { _, new in new }
        var hostMap: [String: ConfigValue] = [
            "name": .string(host.name), "address": .string(host.address), "port": .int(host.port),
            "groups": .list(host.groups.map(ConfigValue.string)),
        ]
        if let user = host.user { hostMap["user"] = .string(user) }
        values["host"] = .map(hostMap)
        values["inventory_hostname"] = .string(host.name)
        values["version"] = .string(version)
        // The root may itself use variables; the paths below it are derived from its rendered text.
        let root = (try? service.root.renderUnquoted(in: VariableScope(values)).get()) ?? service.root.text
        values["service"] = .map([
            "name": .string(service.name), "root": .string(root), "releases": .string("\(root)/releases"),
            "current": .string("\(root)/current"), "shared": .string("\(root)/shared"),
            "release": .string("\(root)/releases/\(version)"), "keep_releases": .int(service.keepReleases),
        ])
        return VariableScope(values)
    }
}

/// Which hosts each of a playbook's overrides applies to, computed once per inventory.
public struct OverrideMatches: Sendable {
    let hostsPerOverride: [Set<String>]

    public init(_ playbook: Playbook, _ inventory: Inventory) {
        hostsPerOverride = playbook.overrides.map { override in
            Set(((try? inventory.select(limit: override.pattern)) ?? []).map(\.name))
        }
    }
}
