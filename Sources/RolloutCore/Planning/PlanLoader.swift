import RolloutConfig

/// What `rollout plan` and `rollout check` are given on the command line.
public struct PlanOptions: Sendable {
    public var inventory: String
    /// nil: the default playbook (see `Playbook.load`).
    public var playbook: String?
    public var limit: String?
    /// `--var key=value` arguments.
    public var vars: [String]
    /// `--version`.
    public var version: String?
    /// The project directory (`inventories/`, `playbooks/`, artifact paths are relative to it).
    public var baseDirectory: String
    /// For `artifact.version_env`.
    public var environment: [String: String]

    public init(
        inventory: String, playbook: String? = nil, limit: String? = nil, vars: [String] = [], version: String? = nil,
        baseDirectory: String = ".", environment: [String: String] = [:]
    ) {
        self.inventory = inventory
        self.playbook = playbook
        self.limit = limit
        self.vars = vars
        self.version = version
        self.baseDirectory = baseDirectory
        self.environment = environment
    }
}

/// Loads the inventory, the playbook, `--var`s and the artifact, and plans, collecting every problem of
/// every stage before failing, so one run of `rollout check` shows them all.
public enum PlanLoader {
    /// The plan, or a `ConfigError` carrying every problem found (see `ConfigError.all`).
    public static func plan(_ options: PlanOptions) throws -> Plan {
        var problems: [ConfigError] = []
        func attempt<T>(_ body: () throws -> T) -> T? {
            do {
                return try body()
            } catch let error as ConfigError {
                problems += error.all
            } catch {
                problems.append(ConfigError(.syntax, file: "?", message: "\(error)"))
            }
            return nil
        }
        let (inventory, inventoryProblems) = Inventory.loadReportingAll(
            options.inventory, baseDirectory: options.baseDirectory)
        let (playbook, playbookProblems) = Playbook.loadReportingAll(
            options.playbook, baseDirectory: options.baseDirectory)
        problems += inventoryProblems + playbookProblems
        let extraVars = attempt { try ExtraVariables.parse(options.vars) }
        guard let playbook else { throw ConfigError.combine(problems)! }
        let artifact = playbook.artifact.flatMap { spec in
            attempt {
                try ArtifactInfo.inspect(spec, playbookFile: playbook.file, baseDirectory: options.baseDirectory)
            }
        }
        let (config, configProblems) = ConfigSource.load(playbook.config, baseDirectory: options.baseDirectory)
        problems += configProblems
        let version = attempt {
            try ResolvedVersion.resolve(
                playbook: playbook, commandLine: options.version, environment: options.environment,
                extraVars: extraVars ?? [:], artifactDigest: artifact?.sha256 ?? "")
        }
        guard let inventory, let extraVars else { throw ConfigError.combine(problems)! }
        // Without an artifact or a version the plan cannot be printed, but planning anyway still finds every
        // other problem (undefined variables, patterns that match nothing) for the same report.
        let request = PlanRequest(
            inventory: inventory, playbook: playbook, limit: options.limit, extraVars: extraVars,
            version: version ?? ResolvedVersion(version: "unknown", source: .artifactDigest),
            artifact: artifact
                ?? playbook.artifact.map { ArtifactInfo(path: $0.path, kind: .file, size: 0, sha256: "") },
            config: config)
        // A pattern that matches nothing in an inventory that did not load is a consequence, not news.
        let consequences: (ConfigError) -> Bool = { !inventoryProblems.isEmpty && $0.code == .noMatch }
        let plan = attempt { try Planner.plan(request) }
        problems.removeAll { problem in
            consequences(problem) && !inventoryProblems.contains(problem)
        }
        if let error = ConfigError.combine(problems) { throw error }
        return plan!
    }
}
