import RolloutConfig

/// Everything a plan is computed from.
public struct PlanRequest: Sendable {
    public var inventory: Inventory
    public var playbook: Playbook
    /// `--limit`, applied on top of the playbook's `hosts`.
    public var limit: String?
    /// `--var key=value`.
    public var extraVars: [String: ConfigValue]
    public var version: ResolvedVersion
    /// Nil in a config-only playbook.
    public var artifact: ArtifactInfo?
    /// The `config` files' local content (`ConfigSource.load`), rendered per `reload` host.
    public var config: [ConfigSource]

    public init(
        inventory: Inventory, playbook: Playbook, limit: String? = nil, extraVars: [String: ConfigValue] = [:],
        version: ResolvedVersion, artifact: ArtifactInfo?, config: [ConfigSource] = []
    ) {
        self.inventory = inventory
        self.playbook = playbook
        self.limit = limit
        self.extraVars = extraVars
        self.version = version
        self.artifact = artifact
        self.config = config
    }
}

/// Computes a `Plan`: pure, deterministic, and complete in its validation (every problem at once).
public enum Planner {
    /// The plan for `request`, or a `ConfigError` carrying every problem: patterns matching nothing,
    /// undefined variables, a canary larger than `max_unavailable`, values that render to nonsense.
    /// Hosts' plans are built on every core; the result does not depend on how many there are.
    public static func plan(_ request: PlanRequest) throws -> Plan {
        try plan(request, hostsPerChunk: 256)
    }

    /// `plan(_:)`, building the hosts' plans in chunks of `hostsPerChunk` on every core. The result, and the
    /// problems and their order, do not depend on the chunk size (tests compare it with a single chunk).
    static func plan(_ request: PlanRequest, hostsPerChunk: Int) throws -> Plan {
        let playbook = request.playbook
        var problems = playbook.problems(against: request.inventory)
        let selected: [InventoryHost]
        do {
            selected = try selectHosts(request)
        } catch let error as ConfigError {
            // A `hosts` pattern matching nothing is reported above with a suggestion; say it once.
            let known = problems.contains { $0.key == "hosts" }
            throw ConfigError.combine(problems + (known && request.limit == nil ? [] : error.all))!
        }
        let total = selected.count
        let ceiling = playbook.batching.maxUnavailable.map { $0.absolute(of: total) }

        let canary = canaryHosts(playbook, selected, request.inventory, ceiling: ceiling, problems: &problems)
        let batches = makeBatches(playbook, selected.map(\.name), canary: canary, ceiling: ceiling)
        let batchOf = Dictionary(uniqueKeysWithValues: batches.flatMap { b in b.hosts.map { ($0, b.index) } })
        let matches = OverrideMatches(playbook, request.inventory)
        // Hosts' plans are independent: chunks are built concurrently, each with its own renderer (problems)
        // and interner, and joined in host order; the renderers merged in that order report what one would.
        let chunks = ParallelChunks.map(count: selected.count, chunkSize: hostsPerChunk) { range in
            let context = HostPlanBuilder.Context(request: request, matches: matches, renderer: TemplateRenderer())
            let plans = selected[range].map { host in
                HostPlanBuilder(context, host: host).build(batch: batchOf[host.name]!)
            }
            return (plans: plans, renderer: context.renderer)
        }
        let renderer = TemplateRenderer()
        var hosts: [HostPlan] = []
        hosts.reserveCapacity(total)
        for chunk in chunks {
            hosts += chunk.plans
            renderer.absorb(chunk.renderer)
        }
        let rolloutScope = controllerScope(request)
        func rolloutHooks(_ when: HookSpec.When) -> [PlannedCommand] {
            playbook.hooks.filter { $0.phase == .rollout && $0.when == when }.map {
                .shell(
                    renderer.render($0.run, rolloutScope, host: PlannedCommand.controller),
                    on: PlannedCommand.controller, timeout: $0.timeout)
            }
        }
        let before = rolloutHooks(.before)
        let after = rolloutHooks(.after)
        problems += renderer.problems
        if let error = ConfigError.combine(problems) { throw error }
        return Plan(
            inventory: request.inventory.file, playbook: playbook.file, service: playbook.service.name,
            version: request.version, artifact: request.artifact,
            failureBudget: FailureBudget(playbook.maxFailures, totalHosts: total), rollback: playbook.rollback,
            batching: playbook.batching, maxUnavailable: ceiling,
            canary: playbook.canary.map { PlanCanary(hosts: canary, bake: $0.bake, promote: $0.promote) },
            timeouts: playbook.timeouts, batches: batches, hosts: hosts, beforeRollout: before, afterRollout: after)
    }

    /// The playbook's `hosts` pattern narrowed by `--limit`, in inventory order; empty is an error.
    static func selectHosts(_ request: PlanRequest) throws -> [InventoryHost] {
        let inventory = request.inventory
        let fromPlaybook = (try? inventory.select(limit: request.playbook.hosts)) ?? []
        let selected: [InventoryHost]
        if let limit = request.limit {
            let limited = Set(try inventory.select(limit: limit).map(\.name))
            selected = fromPlaybook.filter { limited.contains($0.name) }
        } else {
            // Without `--limit` every host is allowed: no set of 10,000 names to build and look up.
            selected = fromPlaybook
        }
        guard !selected.isEmpty else {
            throw request.playbook.origin(of: "hosts").error(
                .noMatch,
                "no host to deploy: `\(request.playbook.hosts)`"
                    + (request.limit.map { " limited by `\($0)`" } ?? "") + " selects nothing in \(inventory.file)")
        }
        return selected
    }

    /// The canary hosts in inventory order: the first N selected hosts, or the selected hosts matching a pattern.
    static func canaryHosts(
        _ playbook: Playbook, _ selected: [InventoryHost], _ inventory: Inventory, ceiling: Int?,
        problems: inout [ConfigError]
    ) -> [String] {
        guard let canary = playbook.canary else { return [] }
        let origin = playbook.origin(of: "canary.hosts")
        let hosts: [String]
        // A pattern matching nothing in the inventory is reported by `Playbook.problems(against:)` already.
        var reportedAlready = false
        switch canary.selection {
        case .count(let n): hosts = selected.prefix(n).map(\.name)
        case .pattern(let pattern):
            let matching = Set(((try? inventory.select(limit: pattern)) ?? []).map(\.name))
            reportedAlready = matching.isEmpty
            hosts = selected.map(\.name).filter { matching.contains($0) }
        }
        if case .count(let n) = canary.selection, n > selected.count {
            problems.append(
                origin.error(
                    .invalidValue, "a canary of \(n) hosts is larger than the \(selected.count) hosts of this rollout",
                    found: "\(n)", allowed: "1...\(max(1, selected.count - 1))"))
        } else if hosts.isEmpty && !reportedAlready {
            problems.append(origin.error(.noMatch, "no host of this rollout is a canary"))
        } else if hosts.count >= selected.count && selected.count > 1 {
            problems.append(origin.error(.invalidValue, "every host of this rollout would be a canary"))
        }
        if let ceiling, hosts.count > ceiling {
            problems.append(
                origin.error(
                    .invalidValue, "\(hosts.count) canary hosts exceed `max_unavailable` (\(ceiling))",
                    found: "\(hosts.count)", allowed: "at most \(ceiling) (max_unavailable)"))
        }
        return hosts
    }

    /// Canary batch first (alone), then `serial` batches or one `window` batch over the other hosts.
    static func makeBatches(_ playbook: Playbook, _ hosts: [String], canary: [String], ceiling: Int?) -> [PlanBatch] {
        var batches: [PlanBatch] = []
        if !canary.isEmpty, let spec = playbook.canary {
            batches.append(
                PlanBatch(
                    index: 1, kind: .canary, hosts: canary, concurrency: canary.count, bake: spec.bake,
                    waitForPromote: spec.promote == .manual))
        }
        let canarySet = Set(canary)
        let rest = hosts.filter { !canarySet.contains($0) }
        guard !rest.isEmpty else { return batches }
        switch playbook.batching.mode {
        case .window(let window):
            let size = min(window.absolute(of: hosts.count), ceiling ?? Int.max)
            batches.append(PlanBatch(index: batches.count + 1, kind: .window, hosts: rest, concurrency: size))
        case .serial(let serial):
            let sizes = Batching.serialSizes(
                count: rest.count, serial: serial, percentBase: hosts.count, ceiling: ceiling)
            for chunk in Batching.split(rest, sizes: sizes) {
                batches.append(
                    PlanBatch(index: batches.count + 1, kind: .serial, hosts: chunk, concurrency: chunk.count))
            }
        }
        return batches
    }

    /// Variables for rollout-level hooks: playbook `vars`, `--var`, `version` and `service.name`.
    static func controllerScope(_ request: PlanRequest) -> VariableScope {
        var values = request.playbook.vars
        values.merge(request.extraVars) { _, new in new }
        values["version"] = .string(request.version.version)
        values["service"] = .map(["name": .string(request.playbook.service.name)])
        return VariableScope(values)
    }
}
