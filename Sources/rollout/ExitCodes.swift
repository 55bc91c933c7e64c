import ArgumentParser

/// The exit codes of every `rollout` command. Published in the README; keep them stable.
enum RolloutExit {
    /// Every host did what was asked.
    static let ok = ExitCode(0)
    /// At least one host ran the operation and it failed (non-zero exit, failed health check, ...);
    /// for a rollout: it failed and no host is left on the new version (every host it switched was switched back).
    static let failed = ExitCode(1)
    /// Invalid input: command line, inventory, playbook or variables. Nothing was done on any host.
    static let invalidInput = ExitCode(2)
    /// At least one host could not be reached: connect, host key or authentication failure (3 wins over 1);
    /// for a rollout: and no host is left on the new version.
    static let unreachable = ExitCode(3)
    /// A rollout failed and left hosts on the new version (by policy, a failed revert, or failures within the
    /// budget); it wins over 1 and 3.
    static let failedPartial = ExitCode(4)
    /// Another rollout holds the inventory's lock.
    static let lockHeld = ExitCode(5)
    /// Interrupted (Ctrl-C or SIGTERM) after restoring what was in flight.
    static let interrupted = ExitCode(6)
    /// A rollout lost its lock (a heartbeat found it released or held by another controller) and stopped at once,
    /// drained hosts restored; `rollout resume` finishes it once the other controller is done.
    static let lockLost = ExitCode(7)
    /// The journal (a PostgreSQL `--state`) cannot be reached or refused the login; nothing was done on any host
    /// (or, during a rollout, its writes kept failing past their retries and it stopped).
    static let journalUnreachable = ExitCode(8)
    /// A bug or an unexpected local failure (cannot write a file, ...).
    static let internalError = ExitCode(70)
}
