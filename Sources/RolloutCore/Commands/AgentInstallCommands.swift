import RolloutText

/// Builders for the commands `rollout agent install` runs on a host: the directories, the agent's config and
/// systemd unit written whole, and the agent started (`--init none`: its own session; `--init systemd`: the unit).
public struct AgentInstallCommands: Sendable, Equatable {
    public var target: AgentInstallTarget

    public init(_ target: AgentInstallTarget) {
        self.target = target
    }

    var host: String { target.host.name }

    /// The systemd unit's name.
    public var unit: String { "rollout-agent-\(target.service)" }

    /// The agent binary's directory and the release layout's `shared` and `releases`.
    public func prepareDirectories() -> PlannedCommand {
        let directory = target.agentPath.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/")
        return PlannedCommand(
            on: host,
            argv: [
                "mkdir", "-p", directory.isEmpty ? "/" : directory, "\(target.root)/shared", "\(target.root)/releases",
            ])
    }

    /// Writes the agent's config (mode 600).
    public func writeConfig() -> PlannedCommand {
        Self.atomicWrite(target.configPath, text: target.configText, on: host)
    }

    /// `rollout-agent run --config ...`: what starts the agent.
    public var runLine: String { ShellQuote.join([target.agentPath, "run", "--config", target.configPath]) }

    /// `--init none`: the agent in its own session, every standard stream redirected, so that the SSH channel closes
    /// at once and the agent outlives the connection.
    public func startDetached() -> PlannedCommand {
        let script =
            "cd \(ShellQuote.quote(target.root)) && exec \(runLine) >> \(ShellQuote.quote(target.logFile)) 2>&1 < /dev/null"
        return PlannedCommand(on: host, argv: ["setsid", "-f", "sh", "-c", script])
    }

    /// `--init systemd`: the unit written whole into `unitDirectory`, systemd reloaded, the unit enabled and started.
    public func startWithSystemd(unitDirectory: String) -> [PlannedCommand] {
        [
            Self.atomicWrite("\(unitDirectory)/\(unit).service", text: unitText, on: host, mode: "644"),
            PlannedCommand(on: host, argv: ["systemctl", "daemon-reload"]),
            PlannedCommand(on: host, argv: ["systemctl", "enable", "--now", unit]),
        ]
    }

    /// The unit. KillMode=process: the service outlives a dead agent and the restarted agent takes it over; the fd
    /// store gives it the listeners back (docs/agent.md, "systemd").
    public var unitText: String {
        """
        [Unit]
        Description=rollout-agent for \(target.service)
        After=network.target

        [Service]
        Type=notify
        NotifyAccess=main
        ExecStart=\(runLine)
        ExecReload=/bin/kill -HUP $MAINPID
        KillMode=process
        FileDescriptorStoreMax=16
        OOMPolicy=continue
        Restart=on-failure
        RestartSec=1

        [Install]
        WantedBy=multi-user.target

        """
    }

    /// Writes `text` to `path` whole or not at all: into a fresh temporary file beside it made by `mktemp` (an
    /// unpredictable name, created exclusively, so a file or symlink planted at a guessable name is never written
    /// through), then renamed over `path`. The temporary file is removed when any step fails.
    public static func atomicWrite(_ path: String, text: String, on host: String, mode: String = "600")
        -> PlannedCommand
    {
        let script =
            "t=$(mktemp -- \"$1.XXXXXXXX\") || exit 1; "
            + "if cat > \"$t\" && chmod \"$2\" \"$t\" && mv -f -- \"$t\" \"$1\"; then exit 0; fi; rm -f -- \"$t\"; exit 1"
        return PlannedCommand(on: host, argv: ["sh", "-c", script, "sh", path, mode], stdin: text)
    }
}
