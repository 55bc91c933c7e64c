import RolloutConfig

extension HostPlanBuilder {
    /// A `reload` host's steps: no release upload and no restart. The config files are rendered for the host,
    /// uploaded to temporary names and checked, validated on the host, switched by rename, and the agent
    /// delivers the reload signal; the health checks follow (without a version expectation: the release
    /// does not change).
    func buildReload(batch: Int) -> HostPlan {
        let root = render(playbook.service.root)
        let agent = AgentCommands(
            host: host.name, agent: render(playbook.service.agent), socket: render(playbook.service.controlSocket))
        let files = context.config.map { configFile($0, root: root) }
        let directories = Array(Set(files.map { parentDirectory($0.destination) } + ["\(root)/shared"])).sorted()
        let release = ReleaseCommands(host: host.name, root: root)
        var prepare: [PlanAction] = []
        if context.config.contains(where: { $0.spec.base == .release }) {
            prepare.append(.run(ConfigCommands.requireRelease(host: host.name, current: release.current), hook: nil))
        }
        prepare += [
            .run(ConfigCommands.prepare(host: host.name, directories: directories), hook: nil),
            .run(release.readCurrent(), hook: nil),
        ]
        var steps: [PlanStep] = [
            PlanStep(phase: .prepare, actions: prepare),
            step(.upload, [.uploadConfig(files)]),
        ]
        let validations = files.compactMap(\.validate)
        if !validations.isEmpty { steps.append(step(.validate, validations.map { .run($0, hook: nil) })) }
        steps.append(step(.switch, [.switchConfig(files)]))
        let timeout = playbook.config?.reloadTimeout ?? .seconds(60)
        steps.append(step(.reload, [.run(agent.reloadService(timeout: timeout), hook: nil)]))
        let checks = playbook.healthChecks(for: host, matches: matches).map { spec -> PlannedHealthCheck in
            var check = health(spec)
            check.expectVersion = nil
            return check
        }
        steps.append(step(.verify, checks.map { .health($0) }))
        return HostPlan(
            name: host.name, address: host.address, port: host.port, user: host.user, strategy: .reload,
            batch: batch, root: root, steps: steps)
    }

    /// One file rendered for this host; undefined variables are recorded by the renderer at the template's line.
    private func configFile(_ source: ConfigSource, root: String) -> PlannedConfigFile {
        let spec = source.spec
        let content: [UInt8]
        switch source.content {
        case .bytes(let bytes): content = bytes
        case .lines(let lines): content = Array(lines.map(render).joined(separator: "\n").utf8)
        }
        let base = spec.base == .shared ? "\(root)/shared" : "\(root)/current"
        let destination = "\(base)/\(spec.path)"
        let validate = spec.validate.map {
            ConfigCommands.validate(
                host: host.name, script: render($0), temporary: ConfigCommands.names(for: destination).temporary,
                timeout: .seconds(60))
        }
        return PlannedConfigFile(
            host: host.name, source: spec.source.path, kind: spec.source.kind, destination: destination,
            content: content,
            mode: spec.mode, validate: validate)
    }

    private func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
