import RolloutConfig

/// The failure budget as an absolute number of hosts.
public struct FailureBudget: Sendable, Equatable {
    /// How many hosts may fail; the rollout stops when the number of failed hosts exceeds it.
    public var maxFailures: Int
    public var setting: Quantity
    public var totalHosts: Int

    /// A count is taken as is; a percentage is `int((pct / 100.0) * total)` as Ansible computes percentages,
    /// rounded down, and may be 0.
    public init(_ setting: Quantity, totalHosts: Int) {
        self.setting = setting
        self.totalHosts = totalHosts
        self.maxFailures = setting.absolute(of: totalHosts, minimum: 0)
    }

    /// Whether a rollout with `failed` failed hosts must stop.
    public func isExceeded(failed: Int) -> Bool { failed > maxFailures }

    /// The rule in words, as the plan and README state it.
    public var rule: String {
        "the rollout stops when more than \(maxFailures) host\(maxFailures == 1 ? "" : "s") failed "
            + "(at the \(ordinal(maxFailures + 1)) failure)"
    }

    private func ordinal(_ n: Int) -> String {
        let suffix =
            (11...13).contains(n % 100) ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th"
        return "\(n)\(suffix)"
    }
}
