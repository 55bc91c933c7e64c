/// The agent's version, printed by `rollout-agent --version` and reported by `status`.
public enum AgentVersion {
    public static let current = "0.1.0"

    /// The first line `--version` prints; `upgrade-agent` requires a new binary to print this form.
    public static var banner: String { "rollout-agent \(current)" }
}
