import Yams

extension PlaybookReader {
    static let timingKeys = ["interval", "timeout", "retries", "successes", "deadline"]
    static let probeKeys: [HealthCheckSpec.Kind: [String]] = [
        .http: ["url", "status", "body_contains", "version_header", "version_json"],
        .tcp: ["host", "port"],
        .command: ["run"],
    ]

    /// A list of health checks; each item has a `type` (`http`, `tcp`, `command`), its own keys and timings.
    func readHealthList(_ parent: MappingReader, _ key: String) -> [HealthCheckSpec] {
        parent.list(key).compactMap { readHealthCheck($0.node, path: $0.path) }
    }

    private func readHealthCheck(_ node: Node, path: String) -> HealthCheckSpec? {
        guard let kind = readKind(node, path: path, HealthCheckSpec.Kind.self) else { return nil }
        let allowed = ["type"] + Self.timingKeys + Self.probeKeys[kind]!
        guard let m = MappingReader(node, path: path, allowed: allowed, diagnostics: diagnostics) else { return nil }
        let probe: HealthCheckSpec.Probe?
        switch kind {
        case .http:
            let url = m.template("url", required: "the URL to GET, e.g. `http://{{ host.address }}:8080/health`")
            if let url, url.text.lowercased().hasPrefix("https://") {
                // Refused here rather than failing at verify, after the drain, switch and restart.
                m.problem("url", .value("`https://` is not supported: " + HealthCheckSpec.httpsUnsupported))
            } else if let url, !url.text.hasPrefix("http://"), !url.text.hasPrefix("{{") {
                m.problem("url", .value("must start with `http://`"), suggestion: "http://" + url.text)
            }
            if m.has("version_header") && m.has("version_json") {
                m.problem("version_json", .value("give either `version_header` or `version_json`, not both"))
            }
            let http = url.map {
                HealthCheckSpec.HTTPProbe(
                    url: $0, status: m.int("status", in: 100...599) ?? 200,
                    bodyContains: m.template("body_contains", context: .content),
                    versionHeader: m.string("version_header"), versionJSONKey: m.string("version_json"))
            }
            probe = http.map(HealthCheckSpec.Probe.http)
        case .tcp:
            let host =
                m.template("host") ?? Template(literal: "", origin: m.origin("host")).withText("{{ host.address }}")
            probe = m.template("port", required: "the TCP port to connect to").map { .tcp(host: host, port: $0) }
        case .command:
            probe = m.template("run", required: "the shell command to run on the host", context: .shell).map(
                HealthCheckSpec.Probe.command)
        }
        let spec = probe.map {
            HealthCheckSpec(
                probe: $0, origin: m.origin("type"), interval: m.duration("interval") ?? .seconds(1),
                timeout: m.duration("timeout") ?? .seconds(2), retries: m.int("retries", in: 0...10_000) ?? 30,
                successes: m.int("successes", in: 1...1000) ?? 1, deadline: m.duration("deadline") ?? .seconds(60))
        }
        if let spec, spec.timeout > spec.deadline {
            m.problem(
                "timeout", .value("is longer than the check's `deadline` (\(ConfigDuration.format(spec.deadline)))"))
        }
        return spec
    }

    /// The `type` of a mapping whose other allowed keys depend on it; reported when missing or unknown.
    func readKind<Kind: RawRepresentable & CaseIterable>(_ node: Node, path: String, _ type: Kind.Type) -> Kind?
    where Kind.RawValue == String {
        let entries = YAMLReading.entries(node, key: path, diagnostics: Diagnostics(file: diagnostics.file)) ?? []
        let allowed = Kind.allCases.map(\.rawValue)
        let list = allowed.map { "`\($0)`" }.joined(separator: ", ")
        guard let entry = entries.first(where: { $0.key == "type" }) else {
            if YAMLReading.entries(node, key: path, diagnostics: diagnostics) != nil {
                diagnostics.report(.missingKey, "required: one of \(list)", at: node, key: "\(path).type")
            }
            return nil
        }
        let text = YAMLReading.value(entry.value).description
        guard let kind = Kind(rawValue: text) else {
            diagnostics.report(
                .invalidValue, "`\(text)` is not allowed (allowed: \(list))", at: entry.value, key: "\(path).type",
                suggestion: Suggestion.closest(to: text, in: allowed), found: text, allowed: list)
            return nil
        }
        return kind
    }

    /// `hooks:` maps `before_PHASE` / `after_PHASE` to a command or a list of commands (`run`, `on`, `timeout`).
    /// A hook whose phase no strategy of the playbook (`strategies`: the default and the overrides') has would
    /// never run; it is reported, not silently accepted.
    func readHooks(_ top: MappingReader, strategies: Set<Strategy>) -> [HookSpec] {
        let names = HookSpec.Phase.allCases.flatMap { phase in
            HookSpec.When.allCases.map { "\($0.rawValue)_\(phase.rawValue)" }
        }
        guard let m = top.mapping("hooks", allowed: names) else { return [] }
        var hooks: [HookSpec] = []
        for name in names where m.has(name) {
            let parts = name.split(separator: "_", maxSplits: 1).map(String.init)
            let when = HookSpec.When(rawValue: parts[0])!
            let phase = HookSpec.Phase(rawValue: parts[1])!
            let runsIn = phase.strategies
            if strategies.isDisjoint(with: runsIn) {
                let used = strategies.map { "`\($0.rawValue)`" }.sorted().joined(separator: ", ")
                let needed = Strategy.allCases.filter(runsIn.contains).map { "`\($0.rawValue)`" }
                m.problem(
                    name,
                    .value(
                        "never runs: no host has a `\(phase.rawValue)` phase (strategy \(used); only "
                            + "\(needed.joined(separator: " and ")) hosts have it)"))
                continue
            }
            hooks += m.list(name).compactMap { readHook($0.node, path: $0.path, name: name, when: when, phase: phase) }
        }
        return hooks
    }

    /// One hook: a command string, or `{run, on, timeout}`. Rollout hooks run on the controller only.
    private func readHook(_ node: Node, path: String, name: String, when: HookSpec.When, phase: HookSpec.Phase)
        -> HookSpec?
    {
        let defaultLocation: HookSpec.Location = phase == .rollout ? .controller : .host
        if case .scalar(let scalar) = node {
            let origin = ConfigOrigin(
                file: diagnostics.file, line: node.mark?.line, column: node.mark?.column, key: path)
            switch Template.parse(scalar.string, origin: origin, context: .shell) {
            case .success(let run):
                return HookSpec(when: when, phase: phase, run: run, on: defaultLocation, timeout: .seconds(60))
            case .failure(let problem):
                diagnostics.report(problem, at: node, key: path)
                return nil
            }
        }
        guard
            let h = MappingReader(node, path: path, allowed: ["run", "on", "timeout"], diagnostics: diagnostics),
            let run = h.template("run", required: "the command to run", context: .shell)
        else { return nil }
        let on = h.choice("on", HookSpec.Location.self) ?? defaultLocation
        if phase == .rollout && on == .host {
            h.problem(
                "on", .value("`\(name)` runs once per rollout, so only on the `controller`"), suggestion: "controller")
        }
        return HookSpec(when: when, phase: phase, run: run, on: on, timeout: h.duration("timeout") ?? .seconds(60))
    }
}
