import RolloutConfig
import RolloutJSON

/// What `rollout agent install` puts on one host: where the agent binary and its config go, and the config.
public struct AgentInstallTarget: Sendable, Equatable {
    public var host: InventoryHost
    /// The playbook's service name.
    public var service: String
    public var root: String
    /// The agent executable's absolute path on the host (the playbook's `service.agent`).
    public var agentPath: String
    public var controlSocket: String
    /// `<root>/agent.yml`.
    public var configPath: String
    /// `<root>/agent.pid`.
    public var pidFile: String
    /// `<root>/shared/agent.log`: the agent's own stdout and stderr with `--init none`.
    public var logFile: String
    /// The agent's config file: JSON, which the agent's YAML reader accepts, with sorted keys (so that an
    /// unchanged playbook renders byte-identical text and a re-install reports `unchanged`).
    public var configText: String
}

/// Renders the playbook's `agent` section for every selected host.
public enum AgentInstallPlanner {
    /// One target per selected host, or a `ConfigError` with every problem (no `agent` section, a relative
    /// `service.agent`, undefined variables).
    public static func plan(
        inventory: Inventory, playbook: Playbook, limit: String?, extraVars: [String: ConfigValue] = [:]
    ) throws -> [AgentInstallTarget] {
        guard let spec = playbook.agent else {
            throw ConfigError(
                .missingKey, file: playbook.file, key: "agent",
                message: "required by `rollout agent install`: the `agent` section (listeners, command, readiness)")
        }
        let request = PlanRequest(
            inventory: inventory, playbook: playbook, limit: limit, extraVars: extraVars,
            version: ResolvedVersion(version: "unknown", source: .artifactDigest),
            artifact: nil)
        let hosts = try Planner.selectHosts(request)
        let matches = OverrideMatches(playbook, inventory)
        var problems: [ConfigError] = []
        var targets: [AgentInstallTarget] = []
        for host in hosts {
            let scope = playbook.variables(for: host, matches: matches, extraVars: extraVars, version: "unknown")
            let root = scope.lookup("service.root")?.templateText ?? playbook.service.root.text
            func render(_ template: Template) -> String {
                switch template.render(in: scope) {
                case .success(let text): return text
                case .failure(let failure):
                    problems.append(
                        template.origin.error(
                            failure.names.allSatisfy { $0.unfit == nil } ? .undefinedVariable : .invalidValue,
                            failure.names.map(\.problem).joined(separator: ", ") + " for host \(host.name)"))
                    return template.text
                }
            }
            let agentPath = render(playbook.service.agent)
            if !agentPath.hasPrefix("/") {
                problems.append(
                    playbook.service.agent.origin.error(
                        .invalidValue,
                        "`rollout agent install` needs an absolute path for `service.agent`, found `\(agentPath)`",
                        suggestion: "{{ service.root }}/bin/rollout-agent"))
            }
            let socket = render(playbook.service.controlSocket)
            var settings: [String: ConfigValue]
            switch spec.rendered(in: scope) {
            case .success(let rendered): settings = rendered
            case .failure(let error):
                problems.append(error)
                continue
            }
            settings["service"] = .string(playbook.service.name)
            settings["control_socket"] = .string(socket)
            settings["release_link"] = .string("\(root)/current")
            settings["pid_file"] = .string("\(root)/agent.pid")
            targets.append(
                AgentInstallTarget(
                    host: host, service: playbook.service.name, root: root, agentPath: agentPath, controlSocket: socket,
                    configPath: "\(root)/agent.yml", pidFile: "\(root)/agent.pid",
                    logFile: "\(root)/shared/agent.log", configText: JSONValue(settings).formatted()))
        }
        if let error = ConfigError.combine(problems) { throw error }
        return targets
    }
}

extension JSONValue {
    /// A configuration value as JSON (YAML's JSON subset).
    init(_ value: ConfigValue) {
        switch value {
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(Int64(i))
        case .double(let d): self = .double(d)
        case .bool(let b): self = .bool(b)
        case .null: self = .null
        case .list(let items): self = .array(items.map(JSONValue.init))
        case .map(let map): self = .object(map.mapValues(JSONValue.init))
        }
    }

    init(_ map: [String: ConfigValue]) {
        self = .object(map.mapValues(JSONValue.init))
    }
}
