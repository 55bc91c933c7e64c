import RolloutConfig

/// How a host's agent replaces the running generation (`rollout-agent ctl restart [--cold]`).
public enum RestartMode: String, Sendable, Equatable, CaseIterable {
    /// The new generation starts beside the old one on the same sockets; the old one drains once the new
    /// one is ready. No moment without a serving process: the `hot` strategy's default.
    case hot
    /// The old generation stops first (drains, SIGKILL after the deadline), then the new one starts on the
    /// same sockets. For hosts the gateway took out of rotation: the `drain` strategy's default.
    case cold

    /// The mode a host with `strategy` restarts in.
    public init(for strategy: Strategy) {
        self = strategy == .drain ? .cold : .hot
    }

    /// The mode the planned restart command `argv` asks for.
    public init(argv: [String]) {
        self = argv.contains("--cold") ? .cold : .hot
    }
}
