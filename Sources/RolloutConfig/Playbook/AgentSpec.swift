/// The playbook's `agent` section: how the per-host `rollout-agent` runs the service (listeners, command,
/// readiness, stop, environment...). `rollout agent install` renders it per host into the agent's config file;
/// the keys and their meaning are the agent's own (`docs/agent.md`), every string may use `{{ ... }}`.
///
/// `service`, `control_socket`, `release_link` and `pid_file` are not written here: rollout derives them from
/// `service` (name, `control_socket`, `root/current`, `root/agent.pid`) so the agent and the deploy agree.
public struct AgentSpec: Sendable, Equatable {
    /// The keys the agent accepts in its config file besides the derived ones.
    public static let allowedKeys = [
        "listeners", "command", "environment", "working_directory", "user", "group", "readiness", "stop", "restart",
        "reload", "log",
    ]

    /// The section as written, key by key.
    public var settings: [String: ConfigValue]
    public var origin: ConfigOrigin

    public init(settings: [String: ConfigValue], origin: ConfigOrigin) {
        self.settings = settings
        self.origin = origin
    }

    /// Every string of the section rendered in `scope` (keys are never templates), or every undefined name.
    public func rendered(in scope: VariableScope) -> Result<[String: ConfigValue], ConfigError> {
        var undefined: [String] = []
        func render(_ value: ConfigValue, key: String) -> ConfigValue {
            switch value {
            case .string(let text):
                let origin = ConfigOrigin(file: origin.file, line: origin.line, column: origin.column, key: key)
                switch Template.parse(text, origin: origin, context: .content) {
                case .failure(let problem):
                    undefined.append("\(key): \(problem.message)")
                    return value
                case .success(let template):
                    switch template.renderUnquoted(in: scope) {
                    case .success(let rendered): return .string(rendered)
                    case .failure(let failure):
                        undefined += failure.names.map { "\(key): \($0.problem)" }
                        return value
                    }
                }
            case .list(let items):
                return .list(items.enumerated().map { render($1, key: "\(key)[\($0)]") })
            case .map(let map):
                return .map(map.reduce(into: [:]) { $0[$1.key] = render($1.value, key: "\(key).\($1.key)") })
            default:
                return value
            }
        }
        let result = settings.reduce(into: [String: ConfigValue]()) {
            $0[$1.key] = render($1.value, key: "agent.\($1.key)")
        }
        guard undefined.isEmpty else {
            return .failure(origin.error(.undefinedVariable, undefined.joined(separator: "; ")))
        }
        return .success(result)
    }
}
