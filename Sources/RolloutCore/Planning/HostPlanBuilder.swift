import RolloutConfig
import RolloutModel

/// Builds one host's steps: every template rendered in the host's variables, every command an argv.
struct HostPlanBuilder {
    /// What every host's builder reads, made once per plan and shared by reference.
    final class Context {
        let playbook: Playbook
        let artifact: ArtifactInfo?
        let config: [ConfigSource]
        let extraVars: [String: ConfigValue]
        let version: String
        let matches: OverrideMatches
        let renderer: TemplateRenderer
        let interner = PlanInterner()

        init(request: PlanRequest, matches: OverrideMatches, renderer: TemplateRenderer) {
            playbook = request.playbook
            artifact = request.artifact
            config = request.config
            extraVars = request.extraVars
            version = request.version.version
            self.matches = matches
            self.renderer = renderer
        }
    }

    let context: Context
    /// Stored, so that reading its parts copies nothing.
    let playbook: Playbook
    let host: InventoryHost
    let scope: VariableScope

    init(_ context: Context, host: InventoryHost) {
        self.context = context
        self.playbook = context.playbook
        self.host = host
        self.scope = playbook.variables(
            for: host, matches: context.matches, extraVars: context.extraVars, version: context.version)
    }

    var matches: OverrideMatches { context.matches }
    private var renderer: TemplateRenderer { context.renderer }
    private var version: String { context.version }

    func render(_ template: Template) -> String { renderer.render(template, scope, host: host.name) }

    func build(batch: Int) -> HostPlan {
        let strategy = playbook.strategy(for: host, matches: matches)
        if strategy == .reload { return buildReload(batch: batch) }
        // Rendering the root again (the scope holds it rendered already) reports its undefined variables.
        let root = render(playbook.service.root)
        let release = ReleaseCommands(host: host.name, root: root)
        let agent = AgentCommands(
            host: host.name, agent: render(playbook.service.agent), socket: render(playbook.service.controlSocket))
        let gateway = strategy == .drain ? gatewayCommands() : nil

        var steps: [PlanStep] = [
            PlanStep(
                phase: .prepare, actions: [.run(release.prepare(), hook: nil), .run(release.readCurrent(), hook: nil)]),
            step(.upload, [.upload(upload(release))]),
        ]
        if let gateway, let spec = playbook.gateway {
            steps.append(
                step(
                    .drain,
                    [
                        .gateway(gateway.step(.drain)),
                        .waitDrained(
                            status: gateway.status, count: gateway.count, deadline: spec.drainDeadline,
                            pollInterval: spec.pollInterval, onTimeout: spec.onDrainTimeout),
                    ]))
        }
        steps.append(step(.switch, release.switchTo(version).map { .run($0, hook: nil) }))
        let recheck: [PlanAction] = gateway.map { [.gateway($0.step(.recheckDrained))] } ?? []
        let restart = agent.restart(timeout: playbook.timeouts.restart, mode: RestartMode(for: strategy))
        steps.append(step(.restart, recheck + [.run(restart, hook: nil)]))
        steps.append(step(.verify, playbook.healthChecks(for: host, matches: matches).map { .health(health($0)) }))
        if let gateway {
            steps.append(step(.undrain, [.gateway(gateway.step(.restore)), .gateway(gateway.step(.recheckRestored))]))
        }
        steps.append(
            PlanStep(
                phase: .cleanup,
                actions: [.pruneReleases(list: release.listReleases(), keep: playbook.service.keepReleases)]))
        return context.interner.intern(
            HostPlan(
                name: host.name, address: host.address, port: host.port, user: host.user, strategy: strategy,
                batch: batch, root: root, steps: steps))
    }

    /// A step with the phase's `before_` hooks first and `after_` hooks last.
    func step(_ phase: Phase, _ actions: [PlanAction]) -> PlanStep {
        func hooks(_ when: HookSpec.When) -> [PlanAction] {
            playbook.hooks.filter { $0.when == when && $0.phase.rawValue == phase.rawValue }.map { hook in
                let on = hook.on == .controller ? PlannedCommand.controller : host.name
                return .run(.shell(render(hook.run), on: on, timeout: hook.timeout), hook: when)
            }
        }
        return PlanStep(phase: phase, actions: hooks(.before) + actions + hooks(.after))
    }

    private func upload(_ release: ReleaseCommands) -> PlannedUpload {
        // The reader requires an artifact unless every host reloads; a request built without one fails here.
        guard let artifact = context.artifact else {
            renderer.reportOnce(
                ConfigOrigin(file: playbook.file, key: "artifact").error(
                    .missingKey, "required: the `\(playbook.strategy.rawValue)` strategy uploads a release"))
            return PlannedUpload(
                host: host.name, source: "", kind: .file, sha256: "", begin: [], destination: "",
                verify: nil, finish: release.finishUpload(version), release: release.release(version),
                timeout: playbook.timeouts.upload)
        }
        let directory = release.uploadDirectory(version)
        let name = artifact.path.split(separator: "/").last.map(String.init) ?? artifact.path
        let destination = artifact.kind == .file ? "\(directory)/\(name)" : directory
        return PlannedUpload(
            host: host.name, source: artifact.path, kind: artifact.kind, sha256: artifact.sha256,
            begin: release.beginUpload(version), destination: destination,
            verify: artifact.kind == .file ? release.checksum(destination) : nil, finish: release.finishUpload(version),
            release: release.release(version), timeout: playbook.timeouts.upload)
    }

    func health(_ spec: HealthCheckSpec) -> PlannedHealthCheck {
        var expect: String?
        let probe: PlannedHealthCheck.Probe
        switch spec.probe {
        case .http(let http):
            if http.versionHeader != nil || http.versionJSONKey != nil { expect = version }
            let url = render(http.url)
            // Checked only when it rendered (an undefined variable is reported already) and when the reader
            // has not already rejected its scheme.
            let text = http.url.text
            let checkable = ["http://", "{{"].contains { text.hasPrefix($0) }
            if checkable, case .success = http.url.render(in: scope), let problem = HealthURL.problem(url) {
                // Reported once per place: a template that renders badly usually does so for every host.
                renderer.reportOnce(
                    http.url.origin.error(
                        .invalidValue, "URL `\(url)` for host \(host.name) \(problem)", found: url,
                        allowed: "an http:// URL with a host"))
            }
            probe = .http(
                url: url, status: http.status, bodyContains: http.bodyContains.map(render),
                versionHeader: http.versionHeader, versionJSONKey: http.versionJSONKey)
        case .tcp(let address, let portTemplate):
            let text = render(portTemplate)
            let port = Int(text) ?? 0
            if !(1...65535).contains(port), !portTemplate.references.isEmpty || Int(text) == nil {
                renderer.reportOnce(
                    portTemplate.origin.error(
                        .invalidValue, "port `\(text)` for host \(host.name) is not an integer in 1...65535"))
            }
            probe = .tcp(host: render(address), port: port)
        case .command(let run):
            probe = .command(.shell(render(run), on: host.name, timeout: spec.timeout))
        }
        return PlannedHealthCheck(
            probe: probe, expectVersion: expect, interval: spec.interval, timeout: spec.timeout, retries: spec.retries,
            successes: spec.successes, deadline: spec.deadline)
    }

    private func gatewayCommands() -> GatewayCommands? {
        playbook.gateway.map {
            checkGatewayNames($0)
            return GatewayCommands.make($0, render: render)
        }
    }
}
