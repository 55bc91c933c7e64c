import ArgumentParser
import Foundation
import RolloutConfig
import RolloutCore

/// The inputs of a plan: `--inventory`, `--playbook`, `--limit`, `--var`, `--version`.
///
/// (Defined here for `plan` and `check`; `deploy` takes the same.)
struct PlanningOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Inventory name (inventories/NAME.yml, .yaml or .ini) or path.")
    var inventory: String

    @Option(
        name: .shortAndLong,
        help: "Playbook name (playbooks/NAME.yml) or path. Default: playbooks/default.yml, or the only playbook.")
    var playbook: String?

    @Option(
        name: .shortAndLong,
        help: "Hosts to work on: names, groups and globs (web*), comma-separated; !name excludes, &group intersects.")
    var limit: String?

    @Option(
        name: .customLong("var"),
        help: """
            A variable, key=value (repeatable); overrides every other variable. In shell text (hooks, command \
            checks, gateway commands) a value is always one quoted word, never shell code.
            """)
    var vars: [String] = []

    @Option(help: "The version to deploy (default: the playbook's, then its version_env, then the artifact's SHA-256).")
    var version: String?

    func validate() throws {
        for argument in vars where !argument.contains("=") {
            throw ValidationError("--var \(argument): expected key=value")
        }
        if let version, version.isEmpty { throw ValidationError("--version must not be empty") }
    }

    func planOptions(limit: String?) -> PlanOptions {
        PlanOptions(
            inventory: inventory, playbook: playbook, limit: limit, vars: vars, version: version,
            environment: ProcessInfo.processInfo.environment)
    }

    /// The plan, or every configuration problem found; anything else exits as an internal error.
    func attemptPlan(limit: String?) throws -> Result<Plan, ConfigError> {
        do {
            return .success(try PlanLoader.plan(planOptions(limit: limit)))
        } catch let error as ConfigError {
            return .failure(error)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw RolloutExit.internalError
        }
    }

    /// The plan, or exit: configuration problems print one `error:` line each and exit with
    /// `RolloutExit.invalidInput`; anything else is an internal error.
    func loadPlan(limit: String?) throws -> Plan {
        switch try attemptPlan(limit: limit) {
        case .success(let plan): return plan
        case .failure(let error):
            Self.printProblems(error.all)
            throw RolloutExit.invalidInput
        }
    }

    /// One `error:` line per problem and a summary line, on standard error.
    static func printProblems(_ problems: [ConfigError]) {
        let lines = problems.map { "error: \($0)\n" }.joined()
        let summary = "\(problems.count) problem\(problems.count == 1 ? "" : "s") found; no host was touched\n"
        FileHandle.standardError.write(Data((lines + summary).utf8))
    }
}
