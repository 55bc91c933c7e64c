import ArgumentParser

/// The exit codes of every `rollout` command. Published in the README; keep them stable.
enum RolloutExit {
    /// Every host did what was asked.
    static let ok = ExitCode(0)
    /// At least one host ran the operation and it failed (non-zero exit, failed health check, ...);
    /// for a rollout: it failed and every changed host was rolled back.
    static let failed = ExitCode(1)
    /// Invalid input: command line, inventory, playbook or variables. Nothing was done on any host.
    static let invalidInput = ExitCode(2)
    /// At least one host could not be reached: connect, host key or authentication failure.
    static let unreachable = ExitCode(3)
    /// A rollout failed and left hosts partially upgraded (by policy, or because a revert failed).
    static let failedPartial = ExitCode(4)
    /// Another rollout holds the inventory's lock.
    static let lockHeld = ExitCode(5)
    /// Interrupted (Ctrl-C or SIGTERM) after restoring what was in flight.
    static let interrupted = ExitCode(6)
    /// A bug or an unexpected local failure (cannot write a file, ...).
    static let internalError = ExitCode(70)
}
