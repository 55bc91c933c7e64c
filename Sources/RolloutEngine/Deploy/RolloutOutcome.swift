import RolloutStore

/// How a whole rollout ended, with the exit code the CLI returns (README: exit codes).
public struct RolloutOutcome: Sendable {
    public var id: Int64?
    public var status: RolloutStatus
    public var exitCode: Int32
    public var error: String?
    public var hosts: [HostRunResult]

    /// The exit codes a rollout can end with (the CLI's `RolloutExit` publishes the same numbers).
    public enum Exit {
        public static let ok: Int32 = 0
        public static let rolledBack: Int32 = 1
        public static let invalidInput: Int32 = 2
        public static let unreachable: Int32 = 3
        public static let partial: Int32 = 4
        public static let lockHeld: Int32 = 5
        public static let interrupted: Int32 = 6
        public static let lockLost: Int32 = 7
        public static let internalError: Int32 = 70
    }

    /// Decides status and exit code from the hosts' results, the budget and why the rollout was stopped (if it
    /// was). The README's exit-code table and docs/deploy.md "Status and exit codes" state the same rules:
    ///
    /// - the lease was lost: `aborted`, 7; interrupted (Ctrl-C, SIGTERM): `aborted`, 6 (in both cases the steps
    ///   in flight finished or were cut and drained hosts were restored);
    /// - every host ok (`succeeded` or `unchanged`): `succeeded`, 0;
    /// - a host this rollout changed is left on the new version while the rollout did not succeed: 4;
    /// - otherwise nothing this rollout changed is left changed: 3 when a host could not be reached (3 wins over
    ///   1, as for every command), else 1.
    ///
    /// The status of a failed rollout says what the budget did: `partial` within it; past it `rolled_back` when
    /// nothing is left changed and a host was actually switched back, else `failed`.
    static func decide(id: Int64, results: [HostRunResult], exceeded: Bool, stopped: StopSignal.Cause?)
        -> RolloutOutcome
    {
        let failures = results.filter { $0.status == .failed || $0.status == .rolledBack }
        // A host reverted by `rollback: all` has no error of its own: name the one that failed.
        let firstError = (failures.first { $0.error != nil } ?? failures.first).map {
            "\($0.host): \($0.error?.description ?? "failed")"
        }
        switch stopped {
        case .lockLost(let message)?:
            return RolloutOutcome(
                id: id, status: .aborted, exitCode: Exit.lockLost, error: "lock lost: \(message)", hosts: results)
        case .interrupted?:
            return RolloutOutcome(
                id: id, status: .aborted, exitCode: Exit.interrupted, error: firstError ?? "interrupted",
                hosts: results)
        case nil:
            break
        }
        if failures.isEmpty && results.allSatisfy({ $0.status.isOK }) {
            return RolloutOutcome(id: id, status: .succeeded, exitCode: Exit.ok, error: nil, hosts: results)
        }
        let leftChanged = results.contains { $0.onNewVersion && $0.status != .unchanged }
        let status: RolloutStatus
        let code: Int32
        if leftChanged {
            (status, code) = (exceeded ? .failed : .partial, Exit.partial)
        } else {
            let unreachable = failures.contains { $0.error?.code == .unreachable }
            let reverted = failures.contains { $0.status == .rolledBack }
            status = !exceeded ? .partial : reverted ? .rolledBack : .failed
            code = unreachable ? Exit.unreachable : Exit.rolledBack
        }
        return RolloutOutcome(id: id, status: status, exitCode: code, error: firstError, hosts: results)
    }
}
