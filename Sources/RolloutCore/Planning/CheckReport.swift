import RolloutConfig
import RolloutJSON

/// The result of `rollout check` as data: the stable document `rollout.check/1` (see `docs/playbook.md`).
///
/// `ok` is true exactly when `problems` is empty. Every problem carries the same fields, `null` when unknown,
/// so scripts can read them without checking for presence.
public struct CheckReport: Sendable {
    public var inventory: String
    public var playbook: String?
    /// The plan, when the configuration is valid.
    public var plan: Plan?
    /// Every problem, in the order `rollout check` prints them.
    public var problems: [ConfigError]

    public init(inventory: String, playbook: String?, plan: Plan?, problems: [ConfigError]) {
        self.inventory = inventory
        self.playbook = playbook
        self.plan = plan
        self.problems = problems
    }

    public var ok: Bool { problems.isEmpty }

    /// The `rollout.check/1` document.
    public var json: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        func number(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }
        let list: [JSONValue] = problems.map { problem in
            .object([
                "code": .string(problem.code.rawValue), "file": .string(problem.file), "line": number(problem.line),
                "column": number(problem.column), "key": text(problem.key), "message": .string(problem.message),
                "found": text(problem.found), "allowed": text(problem.allowed),
                "suggestion": text(problem.suggestion),
            ])
        }
        return .object([
            "schema": .string("rollout.check/1"), "ok": .bool(ok),
            "inventory": .string(plan?.inventory ?? inventory), "playbook": text(plan?.playbook ?? playbook),
            "hosts": number(plan?.hosts.count), "batches": number(plan?.batches.count),
            "version": text(plan?.version.version), "problems": .array(list),
        ])
    }
}
