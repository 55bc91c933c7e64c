/// What to do with a host key that `known_hosts` does not confirm.
public enum HostKeyChecking: String, Sendable, CaseIterable {
    /// Refuse unknown and changed keys (OpenSSH `StrictHostKeyChecking yes`).
    case strict
    /// Record unknown keys in `known_hosts` and connect; refuse changed keys (OpenSSH `accept-new`).
    case acceptNew = "accept-new"
}

/// Connection settings shared by every host of a run.
public struct SSHOptions: Sendable {
    /// One budget for TCP connect, SSH banner, key exchange and authentication (and, with bastions, all hops).
    public var connectTimeout: Duration
    /// How unknown host keys are treated; changed keys are always refused.
    public var hostKeyChecking: HostKeyChecking
    /// The environment variable holding the passphrase of encrypted identity files. Passphrases are never read
    /// from files.
    public var passphraseEnvironmentVariable: String
    /// Whether to try the keys of the ssh-agent at ``agentSocketPath`` (default `SSH_AUTH_SOCK`) first.
    public var useAgent: Bool
    /// The ssh-agent socket; nil means the `SSH_AUTH_SOCK` environment variable.
    public var agentSocketPath: String?
    /// Run commands that stream no output in one shell per connection (started once through the login shell,
    /// then fed each command) instead of a new session channel, and so a new login shell, per command. Saves the
    /// login shell's start-up per command — bash sources `~/.bashrc` for every command sshd starts, 100–200 ms
    /// of CPU with pyenv or nvm there. Commands then run under `sh`, and one killed by a signal reports exit
    /// status 128+N instead of the signal. A host where the shell cannot start falls back to one channel per
    /// command.
    public var sharedShell: Bool

    public init(
        connectTimeout: Duration = .seconds(10), hostKeyChecking: HostKeyChecking = .strict,
        passphraseEnvironmentVariable: String = "ROLLOUT_SSH_PASSPHRASE", useAgent: Bool = true,
        agentSocketPath: String? = nil, sharedShell: Bool = false
    ) {
        self.connectTimeout = connectTimeout
        self.hostKeyChecking = hostKeyChecking
        self.passphraseEnvironmentVariable = passphraseEnvironmentVariable
        self.useAgent = useAgent
        self.agentSocketPath = agentSocketPath
        self.sharedShell = sharedShell
    }
}
