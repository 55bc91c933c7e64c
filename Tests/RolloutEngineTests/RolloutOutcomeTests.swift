import RolloutStore
import Testing

@testable import RolloutEngine

/// How host results become the rollout's status and exit code (README "Exit codes", docs/deploy.md "Status and
/// exit codes"). Every case is a combination the runner produces: a host that cannot be reached fails before
/// any step (`failed`, not on the new version, code `unreachable`); a host that fails after its switch is
/// `rolled_back` (or `failed` on the new version under `rollback: none`, or when its revert failed); hosts after
/// an exceeded budget, an interrupt or a lost lock are `skipped`; `rollback: all` marks reverted hosts
/// `rolled_back` without an error of their own.
@Suite struct RolloutOutcomeTests {
    func host(_ name: String, _ status: HostStatus, onNew: Bool, code: DeployError.Code? = nil) -> HostRunResult {
        HostRunResult(
            host: name, status: status, error: code.map { DeployError($0, "\(name) failed") }, onNewVersion: onNew)
    }

    func decide(_ results: [HostRunResult], exceeded: Bool, stopped: StopSignal.Cause? = nil) -> RolloutOutcome {
        RolloutOutcome.decide(id: 1, results: results, exceeded: exceeded, stopped: stopped)
    }

    var unreachable: HostRunResult { host("a", .failed, onNew: false, code: .unreachable) }
    var skipped: HostRunResult { host("b", .skipped, onNew: false) }

    @Test func everyHostOnTheNewVersionSucceeds() {
        let outcome = decide([host("a", .succeeded, onNew: true), host("b", .unchanged, onNew: true)], exceeded: false)
        #expect(outcome.status == .succeeded && outcome.exitCode == 0 && outcome.error == nil)
    }

    /// The defect: under the default budget (0) the first unreachable host stops the rollout; nothing was changed,
    /// so nothing was rolled back: exit 3, not 1 "rolled back".
    @Test func anUnreachableHostUnderTheDefaultBudgetExits3() {
        let outcome = decide([unreachable, skipped], exceeded: true)
        #expect(outcome.exitCode == 3)
        #expect(outcome.status == .failed, "nothing was reverted: not rolled_back")
        #expect(outcome.error?.contains("a: unreachable") == true)
    }

    @Test func aFailureBeforeAnySwitchExits1AsFailed() {
        let outcome = decide([host("a", .failed, onNew: false, code: .upload), skipped], exceeded: true)
        #expect(outcome.exitCode == 1 && outcome.status == .failed)
    }

    @Test func aRevertedHostWithNothingLeftChangedIsRolledBack() {
        let outcome = decide([host("a", .rolledBack, onNew: false, code: .restart), skipped], exceeded: true)
        #expect(outcome.status == .rolledBack && outcome.exitCode == 1)
        #expect(outcome.error?.contains("a: restart-failed") == true)
        // `rollback: all` after the budget: the earlier host is reverted too, without an error of its own.
        let all = decide(
            [host("a", .rolledBack, onNew: false), host("b", .rolledBack, onNew: false, code: .health)], exceeded: true)
        #expect(all.status == .rolledBack && all.exitCode == 1)
        #expect(all.error?.contains("b: health-failed") == true)
    }

    @Test func unreachableWinsOverFailedWhenNothingIsLeftChanged() {
        // window: 2: one host cannot be reached while the other fails its health check and is switched back.
        let outcome = decide([unreachable, host("b", .rolledBack, onNew: false, code: .health)], exceeded: true)
        #expect(outcome.exitCode == 3 && outcome.status == .rolledBack)
    }

    @Test func hostsLeftOnTheNewVersionExit4AndWinOverUnreachable() {
        // rollback: host, budget exceeded at the second host: the first stays on the new version.
        let left = decide(
            [host("a", .succeeded, onNew: true), host("b", .rolledBack, onNew: false, code: .health)], exceeded: true)
        #expect(left.status == .failed && left.exitCode == 4)
        // max_failures: 1: the unreachable host is within the budget and the other host is upgraded.
        let within = decide([unreachable, host("b", .succeeded, onNew: true)], exceeded: false)
        #expect(within.status == .partial && within.exitCode == 4)
        // rollback: none: the failed host itself stays switched.
        let none = decide([host("a", .failed, onNew: true, code: .health), skipped], exceeded: true)
        #expect(none.status == .failed && none.exitCode == 4)
    }

    @Test func withinTheBudgetWithNothingLeftChangedIsPartialWithTheFleetsCode() {
        // max_failures: 1: the other host already ran the version (unchanged), the failed one was switched back.
        let reverted = decide(
            [host("a", .rolledBack, onNew: false, code: .health), host("b", .unchanged, onNew: true)], exceeded: false)
        #expect(reverted.status == .partial && reverted.exitCode == 1)
        let unreachable = decide([unreachable, host("b", .unchanged, onNew: true)], exceeded: false)
        #expect(unreachable.status == .partial && unreachable.exitCode == 3)
    }

    @Test func anInterruptAbortsWithExit6() {
        let outcome = decide([host("a", .succeeded, onNew: true), skipped], exceeded: false, stopped: .interrupted)
        #expect(outcome.status == .aborted && outcome.exitCode == 6)
    }

    @Test func aLostLockAbortsWithExit7EvenAfterFailures() {
        let outcome = decide(
            [host("a", .rolledBack, onNew: false, code: .health), skipped], exceeded: true,
            stopped: .lockLost("held by bob@ci pid 7"))
        #expect(outcome.status == .aborted && outcome.exitCode == 7)
        #expect(outcome.error == "lock lost: held by bob@ci pid 7")
    }

    @Test func aLostLockWinsOverAnInterrupt() {
        let stop = StopSignal()
        stop.stop(.interrupted)
        #expect(stop.cause == .interrupted && stop.current == .interrupted)
        stop.loseLock("released")
        #expect(stop.cause == .lockLost("released"))
        #expect(stop.current == .immediate, "steps in flight are cut and no further step starts")
        stop.stop(.interrupted)
        #expect(stop.cause == .lockLost("released"))
    }
}
