import Yams

/// Turns a playbook's YAML into a `Playbook`, reporting every problem (unknown keys with suggestions, wrong
/// types, out-of-range values, contradictory settings) with file, line and dotted key.
struct PlaybookReader {
    let diagnostics: Diagnostics

    static let topLevelKeys = [
        "service", "artifact", "hosts", "strategy", "serial", "window", "max_unavailable", "canary", "max_failures",
        "rollback", "health", "gateway", "hooks", "timeouts", "vars", "overrides", "agent", "config",
    ]

    func read(_ root: Node) -> Playbook? {
        guard let top = MappingReader(root, path: "", allowed: Self.topLevelKeys, diagnostics: diagnostics) else {
            return nil
        }
        top.requireKey("service", "the service to deploy (`name`, `root`)")
        let strategy = top.choice("strategy", Strategy.self) ?? .hot
        let overrides = readOverrides(top)
        // A config-only playbook (every host reloads) uploads no release.
        let needsArtifact = strategy != .reload || overrides.contains { ($0.strategy ?? .reload) != .reload }
        if needsArtifact { top.requireKey("artifact", "what to upload (`path`)") }
        let service = top.mapping("service", allowed: ["name", "root", "keep_releases", "control_socket", "agent"])
            .flatMap(readService)
        let artifact = top.mapping("artifact", allowed: ["path", "version", "version_env", "max_size"])
            .flatMap(readArtifact)
        let gateway = readGateway(top)
        let usesDrain = strategy == .drain || overrides.contains { $0.strategy == .drain }
        if usesDrain && gateway == nil && !top.has("gateway") {
            diagnostics.report(
                .missingKey, "required: the `drain` strategy takes hosts out of a gateway; describe it here",
                at: root, key: "gateway")
        }
        let hosts = top.string("hosts") ?? "all"
        let batching = readBatching(top)
        let canary = top.mapping("canary", allowed: ["hosts", "bake", "promote"]).flatMap(readCanary)
        let maxFailures = quantity(top, "max_failures", minimum: 0) ?? .count(0)
        let rollback = top.choice("rollback", RollbackPolicy.self) ?? .host
        let health = readHealthList(top, "health")
        let hooks = readHooks(top, strategies: Set([strategy] + overrides.compactMap(\.strategy)))
        let timeouts = readTimeouts(top)
        let vars = top.variables("vars")
        let agent = readAgent(top)
        let config = readConfig(top)
        checkReload(top, root: root, strategy: strategy, overrides: overrides, config: config)
        // Everything above was read even when a required part is missing, so all problems are reported at once.
        guard let service, artifact != nil || !needsArtifact else { return nil }
        var playbook = Playbook(
            file: diagnostics.file, service: service, artifact: artifact, hosts: hosts, strategy: strategy,
            batching: batching, canary: canary, maxFailures: maxFailures, rollback: rollback, health: health,
            gateway: gateway, hooks: hooks, timeouts: timeouts, vars: vars, overrides: overrides, agent: agent,
            config: config)
        playbook.origins = origins(top)
        return playbook
    }

    /// The `agent` section: the agent's own keys (checked against `AgentSpec.allowedKeys`), `command` required.
    private func readAgent(_ top: MappingReader) -> AgentSpec? {
        guard let entry = top.entry("agent"),
            let m = top.mapping("agent", allowed: AgentSpec.allowedKeys)
        else { return nil }
        m.requireKey("command", "the service's argv, e.g. `[\"{release}/bin/web\"]`")
        m.requireKey("listeners", "the sockets the agent owns and hands to the service (`name`, `tcp` or `unix`)")
        guard case .map(let settings)? = top.value("agent") else { return nil }
        let origin = ConfigOrigin(
            file: diagnostics.file, line: entry.keyNode.mark?.line, column: entry.keyNode.mark?.column, key: "agent")
        return AgentSpec(settings: settings, origin: origin)
    }

    /// Where the values that are only checked against an inventory were written.
    private func origins(_ top: MappingReader) -> [String: ConfigOrigin] {
        var result: [String: ConfigOrigin] = [:]
        for key in ["hosts", "max_unavailable"] where top.has(key) { result[key] = top.origin(key) }
        for (parent, key) in [("canary", "hosts"), ("gateway", "on")] {
            // Read again without reporting: the mapping's own problems were reported when it was read.
            guard let node = top.entry(parent)?.value,
                let entry = YAMLReading.entries(node, key: parent, diagnostics: Diagnostics(file: diagnostics.file))?
                    .first(where: { $0.key == key })
            else { continue }
            result["\(parent).\(key)"] = ConfigOrigin(
                file: diagnostics.file, line: entry.value.mark?.line, column: entry.value.mark?.column,
                key: "\(parent).\(key)")
        }
        return result
    }

    private func readService(_ m: MappingReader) -> ServiceSpec? {
        let name = m.string("name", required: "the service name")
        if let name, !name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) {
            m.problem("name", .value("use letters, digits, `-`, `_` and `.` only"))
        }
        let root = m.template("root", required: "the service's root directory on each host (an absolute path)")
        if let root, !root.text.hasPrefix("/"), !root.text.hasPrefix("{{") {
            m.problem("root", .value("must be an absolute path"), suggestion: "/" + root.text)
        }
        let keep = m.int("keep_releases", in: 2...1000) ?? 5
        let socket =
            m.template("control_socket")
            ?? Template(literal: "", origin: m.origin("control_socket")).withText("{{ service.root }}/agent.sock")
        let agent = m.template("agent") ?? Template(literal: "rollout-agent", origin: m.origin("agent"))
        guard let name, let root else { return nil }
        return ServiceSpec(name: name, root: root, keepReleases: keep, controlSocket: socket, agent: agent)
    }

    private func readArtifact(_ m: MappingReader) -> ArtifactSpec? {
        let path = m.string("path", required: "the local file or directory to upload")
        let version = m.template("version")
        let env = m.string("version_env")
        if version != nil && env != nil {
            m.problem("version_env", .value("give either `version` or `version_env`, not both"))
        }
        if let env, !env.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            m.problem("version_env", .value("must be an environment variable name"))
        }
        let maxSize = m.size("max_size")
        guard let path else { return nil }
        return ArtifactSpec(path: path, version: version, versionEnv: env, maxSize: maxSize)
    }

    private func readBatching(_ top: MappingReader) -> BatchingSpec {
        let maxUnavailable = quantity(top, "max_unavailable", minimum: 1)
        if top.has("serial") && top.has("window") {
            top.problem("window", .value("give either `serial` (batches) or `window` (hosts in flight), not both"))
        }
        if top.has("window"), let window = quantity(top, "window", minimum: 1) {
            return BatchingSpec(mode: .window(window), maxUnavailable: maxUnavailable)
        }
        var sizes: [Quantity] = []
        for item in top.list("serial") {
            switch Self.quantity(YAMLReading.value(item.node), minimum: 1) {
            case .success(let q): sizes.append(q)
            case .failure(let problem): diagnostics.report(problem, at: item.node, key: item.path)
            }
        }
        if top.has("serial"), sizes.isEmpty, top.list("serial").isEmpty {
            top.problem("serial", .value("must not be empty"))
        }
        return BatchingSpec(mode: .serial(sizes.isEmpty ? [.count(1)] : sizes), maxUnavailable: maxUnavailable)
    }

    private func readCanary(_ m: MappingReader) -> CanarySpec? {
        m.requireKey("hosts", "how many hosts (a count) or which ones (a group or pattern)")
        let selection: CanarySpec.Selection?
        switch m.value("hosts") {
        case .int(let n)? where n >= 1: selection = .count(n)
        case .string(let pattern)? where !pattern.isEmpty: selection = .pattern(pattern)
        case let other?:
            m.problem(
                "hosts",
                .type(
                    "expected a count (≥ 1) or a group/pattern, found \(other)", found: "\(other)",
                    allowed: "a count (≥ 1) or a group/pattern"))
            selection = nil
        case nil: selection = nil
        }
        let bake = m.duration("bake") ?? .zero
        let promote = m.choice("promote", CanarySpec.Promotion.self) ?? .auto
        return selection.map { CanarySpec(selection: $0, bake: bake, promote: promote) }
    }

    private func readTimeouts(_ top: MappingReader) -> TimeoutsSpec {
        let m = top.mapping("timeouts", allowed: ["upload", "restart", "rollout"])
        return TimeoutsSpec(
            upload: m?.duration("upload") ?? .seconds(600), restart: m?.duration("restart") ?? .seconds(120),
            rollout: m?.duration("rollout") ?? .seconds(3600))
    }

    private func readOverrides(_ top: MappingReader) -> [OverrideSpec] {
        guard let entry = top.entry("overrides") else { return [] }
        var result: [OverrideSpec] = []
        for item in YAMLReading.entries(entry.value, key: "overrides", diagnostics: diagnostics) ?? [] {
            let path = "overrides.\(item.key)"
            guard
                let m = MappingReader(
                    item.value, path: path, allowed: ["strategy", "health", "vars"], diagnostics: diagnostics)
            else { continue }
            let origin = ConfigOrigin(
                file: diagnostics.file, line: item.keyNode.mark?.line, column: item.keyNode.mark?.column, key: path)
            result.append(
                OverrideSpec(
                    pattern: item.key, origin: origin, strategy: m.choice("strategy", Strategy.self),
                    health: m.has("health") ? readHealthList(m, "health") : nil, vars: m.variables("vars")))
        }
        return result
    }

    /// A count (≥ `minimum`) or a percentage `"N%"` with N in 0...100.
    func quantity(_ m: MappingReader, _ key: String, minimum: Int) -> Quantity? {
        guard let value = m.value(key) else { return nil }
        switch Self.quantity(value, minimum: minimum) {
        case .success(let q): return q
        case .failure(let problem):
            m.problem(key, problem)
            return nil
        }
    }

    static func quantity(_ value: ConfigValue, minimum: Int) -> Result<Quantity, ValueProblem> {
        let allowed = "a count ≥ \(minimum) or a percentage from \(minimum)% to 100%"
        switch value {
        case .int(let n) where n >= minimum: return .success(.count(n))
        case .int(let n):
            return .failure(.value("\(n) is below the minimum of \(minimum)", found: "\(n)", allowed: allowed))
        case .string(let text) where text.hasSuffix("%"):
            guard let p = Int(text.dropLast()), (minimum...100).contains(p) else {
                return .failure(
                    .value(
                        "`\(text)`: a percentage must be an integer from \(minimum)% to 100%", found: text,
                        allowed: allowed))
            }
            return .success(.percent(p))
        default:
            return .failure(
                .type(
                    "expected a count or a percentage such as `\"25%\"`, found \(value.typeName)", found: "\(value)",
                    allowed: allowed))
        }
    }
}

extension Template {
    /// The same origin with other text, parsed (for defaults that refer to other settings).
    func withText(_ text: String) -> Template {
        (try? Template.parse(text, origin: origin, context: context).get())
            ?? Template(literal: text, origin: origin, context: context)
    }
}
