import Foundation
import RolloutTestSupport
import Testing

/// The kill-point matrix: the controller SIGKILLed at every phase of the plan (and in the bake, a host's rollback,
/// the `rollback: all` revert, `rollout promote` and `rollout resume` itself), for `hot` and for `drain` through a
/// real HAProxy, each followed by `rollout resume`: the rollout ends as its policy says, the journal and every
/// host agree (version served, `current`, HAProxy state), no host is left drained, a manual canary still waits
/// for `rollout promote`, and the load on the services sees no failed request.
@Suite("kill-point matrix: SIGKILL the controller anywhere, rollout resume finishes consistently", .serialized)
struct KillPointMatrixTests {
    @Test("hot: SIGKILL at every kill point, then resume")
    func hot() throws { try runMatrix(.hot) }

    @Test("drain through HAProxy: SIGKILL at every kill point, then resume; no host left drained")
    func drain() throws { try runMatrix(.drain) }

    private func runMatrix(_ strategy: KillPointMatrix.Strategy) throws {
        let started = ContinuousClock.now
        let matrix = try KillPointMatrix(strategy)
        defer { matrix.stop() }
        let points = try KillPoint.matrix(plan: try matrix.plan())
        let phases = Set(points.map(\.name))
        let planned: Set =
            strategy == .hot
            ? ["prepare", "upload", "switch", "restart", "verify", "cleanup"]
            : ["prepare", "upload", "drain", "switch", "restart", "verify", "undrain", "cleanup"]
        #expect(planned.isSubset(of: phases), "the plan's phases: \(points.map(\.name))")
        for point in points { matrix.run(point) }
        let timings = matrix.timings.map { "\($0.point) \(String(format: "%.1f", $0.seconds))s" }
        print(
            "kill-point matrix (\(strategy)): \(points.count) cases in "
                + "\(String(format: "%.0f", (ContinuousClock.now - started).seconds)) s: \(timings.joined(separator: ", "))"
        )
    }

    @Test("the kill points are the plan's own phases; a phase the matrix cannot reach fails loudly")
    func pointsComeFromThePlan() throws {
        func step(_ phase: String, _ actions: [[String: Any]]) -> [String: Any] {
            ["phase": phase, "actions": actions]
        }
        func run(_ on: String, _ argv: [String] = ["true"]) -> [String: Any] {
            ["type": "run", "command": ["on": on, "argv": argv]]
        }
        func host(_ name: String, extra: [[String: Any]] = []) -> [String: Any] {
            let steps: [[String: Any]] = [
                step("prepare", [run(name)]),
                step("upload", [["type": "upload"]]),
                step("drain", [["type": "gateway"], ["type": "wait_drained"]]),
                step("switch", [run(name)]),
                step("restart", [run(name, ["rollout-agent", "ctl", "--socket", "s", "restart", "--cold"])]),
                step("verify", [["type": "health"]]),
                step("undrain", [["type": "gateway"]]),
                step("cleanup", [["type": "prune_releases", "list": ["on": name, "argv": ["ls"]]]]),
            ]
            return ["name": name, "steps": steps + extra]
        }
        let points = try KillPoint.matrix(plan: ["hosts": [host("a"), host("b")]])
        #expect(
            points.map(\.description) == [
                "prepare on b", "upload on b", "end of upload on a", "drain on b", "end of drain on a", "switch on b",
                "end of switch on a", "restart on b", "end of restart on a", "verify on b", "end of verify on a",
                "undrain on b", "end of undrain on a", "cleanup on b", "undrain after a failure on a", "bake on a",
                "rollback on a", "revert on a", "canary on a", "promote on b", "resume on b",
            ])
        #expect(
            points[0].reach == .frozenHost(holdAt: .init(host: "a", phase: "undrain")), "the first host's last hook")
        #expect(points[3].reach == .drainWait && points[7].reach == .agentStart && points[1].reach == .hook)
        #expect(points[13].reach == .frozenHost(holdAt: .init(host: "b", phase: "undrain")))

        // A phase the matrix has no way into (nothing on the host, no hook) stops the matrix, naming it.
        let warmup = host("b", extra: [step("warmup", [["type": "health"]])])
        #expect {
            try KillPoint.matrix(plan: ["hosts": [host("a"), warmup]])
        } throws: { error in
            "\(error)".contains("b warmup") && "\(error)".contains("does not know how to reach")
        }
    }
}
