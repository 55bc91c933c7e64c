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
        public static let internalError: Int32 = 70
    }

    /// Decides status and exit code from the hosts' results.
    ///
    /// - every host ok: `succeeded`, 0;
    /// - interrupted: `aborted`, 6 (hosts in flight finished, drained hosts restored);
    /// - failures, no host left on the new version and no failed host left changed: `rolled_back`, 1;
    /// - otherwise `failed` (budget exceeded) or `partial` (within the budget), 4.
    static func decide(
        id: Int64, results: [HostRunResult], exceeded: Bool, interrupted: Bool, unreachable: Bool
    ) -> RolloutOutcome {
        let failures = results.filter { $0.status == .failed || $0.status == .rolledBack }
        let firstError = failures.first.map { "\($0.host): \($0.error?.description ?? "failed")" }
        if interrupted {
            return RolloutOutcome(
                id: id, status: .aborted, exitCode: Exit.interrupted, error: firstError ?? "interrupted",
                hosts: results)
        }
        if failures.isEmpty && results.allSatisfy({ $0.status.isOK }) {
            return RolloutOutcome(id: id, status: .succeeded, exitCode: Exit.ok, error: nil, hosts: results)
        }
        let leftChanged = results.contains { $0.onNewVersion && $0.status != .unchanged }
        if exceeded && !leftChanged {
            return RolloutOutcome(
                id: id, status: .rolledBack, exitCode: Exit.rolledBack, error: firstError, hosts: results)
        }
        let code = unreachable && !leftChanged ? Exit.unreachable : Exit.partial
        return RolloutOutcome(
            id: id, status: exceeded ? .failed : .partial, exitCode: code, error: firstError, hosts: results)
    }
}
