import RolloutStore
import Testing

@testable import RolloutEngine

/// How host results become the rollout's status and exit code (docs/deploy.md, "Status and exit codes").
@Suite struct RolloutOutcomeTests {
    func host(_ name: String, _ status: HostStatus, onNew: Bool, code: DeployError.Code? = nil) -> HostRunResult {
        HostRunResult(
            host: name, status: status, error: code.map { DeployError($0, "\(name) failed") }, onNewVersion: onNew)
    }

    @Test func everyHostOnTheNewVersionSucceeds() {
        let outcome = RolloutOutcome.decide(
            id: 1, results: [host("a", .succeeded, onNew: true), host("b", .unchanged, onNew: true)],
            exceeded: false, interrupted: false, unreachable: false)
        #expect(outcome.status == .succeeded && outcome.exitCode == 0)
    }

    @Test func budgetExceededAndNothingLeftChangedIsRolledBack() {
        let outcome = RolloutOutcome.decide(
            id: 1,
            results: [host("a", .rolledBack, onNew: false, code: .restart), host("b", .skipped, onNew: false)],
            exceeded: true, interrupted: false, unreachable: false)
        #expect(outcome.status == .rolledBack && outcome.exitCode == 1)
        #expect(outcome.error?.contains("a: restart-failed") == true)
    }

    @Test func hostsLeftOnTheNewVersionMakeItFailedOrPartial() {
        let left = RolloutOutcome.decide(
            id: 1,
            results: [host("a", .succeeded, onNew: true), host("b", .rolledBack, onNew: false, code: .health)],
            exceeded: true, interrupted: false, unreachable: false)
        #expect(left.status == .failed && left.exitCode == 4)
        let within = RolloutOutcome.decide(
            id: 1,
            results: [host("a", .succeeded, onNew: true), host("b", .failed, onNew: false, code: .unreachable)],
            exceeded: false, interrupted: false, unreachable: true)
        #expect(within.status == .partial && within.exitCode == 4)
    }

    @Test func unreachableWithNothingChangedExits3() {
        let outcome = RolloutOutcome.decide(
            id: 1, results: [host("a", .failed, onNew: false, code: .unreachable), host("b", .skipped, onNew: false)],
            exceeded: false, interrupted: false, unreachable: true)
        #expect(outcome.exitCode == 3)
    }

    @Test func anInterruptAbortsWithExit6() {
        let outcome = RolloutOutcome.decide(
            id: 1, results: [host("a", .succeeded, onNew: true), host("b", .skipped, onNew: false)],
            exceeded: false, interrupted: true, unreachable: false)
        #expect(outcome.status == .aborted && outcome.exitCode == 6)
    }
}
