import Foundation

/// One place where the kill-point matrix SIGKILLs the controller, and how a case brings the controller there and
/// holds it, so that the kill lands inside that step however slow the machine is.
///
/// The phase points come from the plan itself (`rollout plan --output json`, the last host's steps): a phase the
/// matrix does not know how to reach makes `matrix(plan:)` throw, so a new phase cannot go untested silently.
struct KillPoint: CustomStringConvertible, Sendable {
    /// A host's step in the plan.
    struct Step: Hashable, Sendable, CustomStringConvertible {
        var host: String
        var phase: String
        var description: String { "\(host) \(phase)" }
    }

    enum Reach: Hashable, Sendable {
        /// The phase's `before_` hook (on the controller) waits on a gate until the test has killed the controller.
        case hook
        /// The phase's work is done but the journal has not closed it: its `after_` hook waits on a gate.
        case afterHook
        /// The drain waits for 0 connections while the test holds a `/slow` request on the host through HAProxy.
        case drainWait
        /// The agent is starting the new release (the `restart` command in flight): the release waits on a gate
        /// before it execs the service.
        case agentStart
        /// The host's sshd sessions are frozen (SIGSTOP) while the controller waits in the `after_` hook of
        /// `holdAt`, so the phase's first command on the host cannot answer.
        case frozenHost(holdAt: Step)
        /// The canary's bake time (`canary: {hosts: 1, bake: ...}`).
        case bake
        /// A host whose verify failed is in its own `rollback` phase, restarting its previous release.
        case rollback
        /// `rollback: all`: a host that had succeeded is being reverted after another host failed.
        case revert
        /// A drained host whose verify failed, rolled back, is being put back in rotation (its `undrain`).
        case failureUndrain
        /// A manual canary killed in its canary's verify: `rollout resume` finishes the canary and still waits for
        /// the promotion; `rollout promote` finishes.
        case canary
        /// A manual canary waiting for its promotion: SIGKILL in `rollout promote`; `rollout resume` finishes.
        case promote
        /// SIGKILL in the deploy, SIGKILL again in the first `rollout resume`; a second resume finishes.
        case resume
    }

    /// The phase (or the point's own name: `bake`, `rollback`, `revert`, `promote`, `resume`).
    var name: String
    /// The host inside whose step the controller dies.
    var host: String
    var reach: Reach

    var description: String {
        switch reach {
        case .afterHook: "end of \(name) on \(host)"
        case .failureUndrain: "\(name) after a failure on \(host)"
        default: "\(name) on \(host)"
        }
    }

    /// How the rollout must end after the resume(s): a failed host under `max_failures: 0, rollback: all` rolls
    /// everything back; every other point succeeds.
    var expectedStatus: String {
        [.rollback, .revert, .failureUndrain].contains(reach) ? "rolled_back" : "succeeded"
    }
}

/// The plan has a phase that the matrix cannot bring the controller into.
struct UnreachablePhases: Error, CustomStringConvertible {
    var phases: [KillPoint.Step]
    var description: String {
        "the plan has phase(s) the kill-point matrix does not know how to reach: "
            + phases.map(\.description).joined(separator: ", ")
            + "; teach KillPoint.matrix(plan:) to hold the controller inside them (a hook, or a command on the host)"
    }
}

extension KillPoint {
    /// The phases whose `before_`/`after_` hooks a playbook accepts (docs/playbook.md, `hooks`).
    static let hookablePhases: Set<String> = ["upload", "drain", "switch", "restart", "verify", "undrain"]

    /// Every kill point of a plan, in the plan's order: in each step of its last host (its earlier hosts are done
    /// then, so a resume must keep their result), and at the end of each hookable step of its first host (the work
    /// done, the journal not yet closed, the other hosts still pending), and in the first host's `undrain` after its
    /// verify failed; then the points that are not plan steps: the bake, a host's rollback, the `rollback: all`
    /// revert, a resumed manual canary (those four on the first host), a killed `rollout promote` and a killed
    /// `rollout resume`. Throws `UnreachablePhases` for a phase it does not know how
    /// to reach.
    static func matrix(plan: [String: Any]) throws -> [KillPoint] {
        let hosts = plan["hosts"] as? [[String: Any]] ?? []
        guard let first = hosts.first?["name"] as? String, let target = hosts.last?["name"] as? String,
            first != target
        else {
            throw UnreachablePhases(phases: [Step(host: "(the plan needs 2 hosts or more)", phase: "")])
        }
        // Every step of the rollout in the order a serial rollout runs them.
        let sequence: [(step: Step, actions: [[String: Any]])] = hosts.flatMap { host in
            let name = host["name"] as? String ?? ""
            return (host["steps"] as? [[String: Any]] ?? []).map {
                (Step(host: name, phase: $0["phase"] as? String ?? ""), $0["actions"] as? [[String: Any]] ?? [])
            }
        }
        var points: [KillPoint] = []
        var unreachable: [Step] = []
        for (index, entry) in sequence.enumerated() where entry.step.host == target {
            let phase = entry.step.phase
            let reach: Reach
            if phase == "drain", entry.actions.contains(where: { $0["type"] as? String == "wait_drained" }) {
                reach = .drainWait
            } else if phase == "restart", entry.actions.contains(where: { isAgentRestart($0, on: target) }) {
                reach = .agentStart
            } else if hookablePhases.contains(phase) {
                reach = .hook
            } else if entry.actions.contains(where: { runsOnHost($0, target) }),
                let before = sequence[..<index].last(where: { hookablePhases.contains($0.step.phase) })
            {
                reach = .frozenHost(holdAt: before.step)
            } else {
                unreachable.append(entry.step)
                continue
            }
            points.append(KillPoint(name: phase, host: target, reach: reach))
            if hookablePhases.contains(phase), sequence.contains(where: { $0.step == Step(host: first, phase: phase) })
            {
                points.append(KillPoint(name: phase, host: first, reach: .afterHook))
            }
        }
        guard unreachable.isEmpty else { throw UnreachablePhases(phases: unreachable) }
        if sequence.contains(where: { $0.step == Step(host: first, phase: "undrain") }) {
            points.append(KillPoint(name: "undrain", host: first, reach: .failureUndrain))
        }
        return points + [
            KillPoint(name: "bake", host: first, reach: .bake),
            KillPoint(name: "rollback", host: first, reach: .rollback),
            KillPoint(name: "revert", host: first, reach: .revert),
            KillPoint(name: "canary", host: first, reach: .canary),
            KillPoint(name: "promote", host: target, reach: .promote),
            KillPoint(name: "resume", host: target, reach: .resume),
        ]
    }

    /// Whether a plan action runs something on `host` itself (a command, the upload, the listing of releases).
    private static func runsOnHost(_ action: [String: Any], _ host: String) -> Bool {
        switch action["type"] as? String {
        case "run": return (action["command"] as? [String: Any])?["on"] as? String == host
        case "upload": return true
        case "prune_releases": return (action["list"] as? [String: Any])?["on"] as? String == host
        default: return false
        }
    }

    /// Whether a plan action is the agent's restart on `host` (`rollout-agent ctl ... restart`), not a hook.
    private static func isAgentRestart(_ action: [String: Any], on host: String) -> Bool {
        guard action["type"] as? String == "run", action["hook"] == nil,
            let command = action["command"] as? [String: Any], command["on"] as? String == host
        else { return false }
        let argv = command["argv"] as? [String] ?? []
        return argv.contains("ctl") && argv.contains("restart")
    }
}
