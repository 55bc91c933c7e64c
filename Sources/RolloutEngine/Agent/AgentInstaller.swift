import Crypto
import Foundation
import RolloutCore
import SSHClient

/// How the agent is started on a host.
public enum AgentInit: String, Sendable, CaseIterable {
    /// A background process of its own session with a pid file (what the local test cluster uses).
    case none
    /// A systemd unit `rollout-agent-<service>.service` (`Type=notify`), enabled and started.
    case systemd
}

/// What `rollout agent install` did on one host.
public struct AgentInstallResult: Sendable {
    public enum Change: String, Sendable, Encodable {
        /// The agent was not running and now is.
        case installed
        /// The agent had died and left its service running: a new agent took the service over (same pid, same
        /// sockets, no restart).
        case recovered
        /// The binary or the config changed; the running agent upgraded itself in place or reloaded.
        case updated
        /// Same binary, same config, running.
        case unchanged
    }

    public var host: String
    public var change: Change?
    public var outcome: HostOutcome
    /// What changed, for the report: `binary`, `config`, `started`.
    public var details: [String]
}

/// Puts the agent binary and its config on a host and makes sure it runs: idempotent, compares SHA-256 and text.
public struct AgentInstaller: Sendable {
    public var binaryPath: String
    public var binarySHA256: String
    public var initSystem: AgentInit
    /// Where `--init systemd` writes the unit.
    public var unitDirectory: String
    public var timeout: Duration

    /// Reads the local agent binary once to know its digest.
    public init(
        binaryPath: String, initSystem: AgentInit, unitDirectory: String = "/etc/systemd/system",
        timeout: Duration = .seconds(60)
    ) throws {
        guard let data = FileManager.default.contents(atPath: binaryPath) else {
            throw DeployError(.local, "cannot read the agent binary \(binaryPath); pass --agent-binary PATH")
        }
        self.binaryPath = binaryPath
        self.binarySHA256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        self.initSystem = initSystem
        self.unitDirectory = unitDirectory
        self.timeout = timeout
    }

    public func install(_ target: AgentInstallTarget, fleet: FleetConnections) async -> AgentInstallResult {
        var result = AgentInstallResult(host: target.host.name, change: nil, outcome: .ok, details: [])
        do {
            let shell = HostShell(host: target.host.name, connection: try await fleet.connection(to: target.host))
            let directory = (target.agentPath as NSString).deletingLastPathComponent
            try await shell.run(
                PlannedCommand(
                    on: target.host.name,
                    argv: ["mkdir", "-p", directory, "\(target.root)/shared", "\(target.root)/releases"]))
            let binaryChanged = try await ensureBinary(target, shell)
            let configChanged = try await ensureConfig(target, shell)
            if binaryChanged { result.details.append("binary") }
            if configChanged { result.details.append("config") }
            let control = AgentControl(shell: shell, agent: target.agentPath, socket: target.controlSocket)
            if try await control.status() == nil {
                try await start(target, shell)
                do {
                    try await control.waitUntilAnswering(timeout: timeout)
                } catch {
                    // E.g. a takeover it refused (it names the reason there); the running service was left alone.
                    let log = initSystem == .systemd ? "journalctl -u rollout-agent-\(target.service)" : target.logFile
                    throw DeployError(.command, "\(DeployError(error).message); the agent's own log says why: \(log)")
                }
                result.details.append("started")
                result.change = .installed
                // A dead agent's service still running: the new agent took it over (rollout-agent run does that).
                if let takeover = try await control.status()?.response?.agent?.takeover {
                    result.change = .recovered
                    result.details.append("took over from dead agent pid \(takeover.fromPid)")
                }
            } else if binaryChanged || configChanged {
                if binaryChanged { try await control.upgrade(binary: target.agentPath) }
                if configChanged { try await control.reload() }
                result.change = .updated
            } else {
                result.change = .unchanged
            }
        } catch {
            let failure = DeployError(error)
            result.outcome =
                failure.code == .unreachable
                ? .unreachable(code: failure.code.rawValue, message: failure.message)
                : .failed(code: failure.code.rawValue, message: failure.message)
        }
        return result
    }

    /// Uploads the binary unless the host's copy has the same SHA-256. True when it was uploaded.
    private func ensureBinary(_ target: AgentInstallTarget, _ shell: HostShell) async throws -> Bool {
        let sum = try await shell.probe(HostProbes.sha256(of: target.agentPath, on: target.host.name), timeout: timeout)
        if sum.succeeded, sum.stdoutText.split(separator: " ").first.map(String.init) == binarySHA256 { return false }
        _ = try await shell.connection.upload(
            from: binaryPath, to: target.agentPath, mode: 0o755, expectedSHA256: binarySHA256, timeout: timeout)
        return true
    }

    /// Writes the config unless the host's file has the same text (atomically: temporary file, then rename).
    private func ensureConfig(_ target: AgentInstallTarget, _ shell: HostShell) async throws -> Bool {
        let current = try await shell.probe(
            HostProbes.contents(of: target.configPath, on: target.host.name), timeout: timeout)
        if current.succeeded && current.stdoutText == target.configText { return false }
        try await shell.run(Self.atomicWrite(target.configPath, text: target.configText, on: target.host.name))
        return true
    }

    private func start(_ target: AgentInstallTarget, _ shell: HostShell) async throws {
        let run = ShellQuote.join([target.agentPath, "run", "--config", target.configPath])
        switch initSystem {
        case .none:
            // Its own session, every standard stream redirected: the SSH channel closes at once and the agent
            // outlives the connection.
            let script =
                "cd \(ShellQuote.quote(target.root)) && exec \(run) >> \(ShellQuote.quote(target.logFile)) 2>&1 < /dev/null"
            try await shell.run(PlannedCommand(on: target.host.name, argv: ["setsid", "-f", "sh", "-c", script]))
        case .systemd:
            let unit = "rollout-agent-\(target.service)"
            // KillMode=process: the service outlives a dead agent and the restarted agent takes it over; the fd store
            // gives it the listeners back (docs/agent.md, "systemd").
            let text = """
                [Unit]
                Description=rollout-agent for \(target.service)
                After=network.target

                [Service]
                Type=notify
                NotifyAccess=main
                ExecStart=\(run)
                ExecReload=/bin/kill -HUP $MAINPID
                KillMode=process
                FileDescriptorStoreMax=16
                OOMPolicy=continue
                Restart=on-failure
                RestartSec=1

                [Install]
                WantedBy=multi-user.target

                """
            let path = "\(unitDirectory)/\(unit).service"
            // Written whole or not at all: systemd must never read a half-written unit.
            try await shell.run(Self.atomicWrite(path, text: text, on: target.host.name, mode: "644"))
            try await shell.run(PlannedCommand(on: target.host.name, argv: ["systemctl", "daemon-reload"]))
            try await shell.run(PlannedCommand(on: target.host.name, argv: ["systemctl", "enable", "--now", unit]))
        }
    }

    /// Writes `text` to `path` whole or not at all: into a fresh temporary file beside it made by `mktemp` (an
    /// unpredictable name, created exclusively, so a file or symlink planted at a guessable name is never written
    /// through), then renamed over `path`. The temporary file is removed when any step fails.
    static func atomicWrite(_ path: String, text: String, on host: String, mode: String = "600") -> PlannedCommand {
        let script =
            "t=$(mktemp -- \"$1.XXXXXXXX\") || exit 1; "
            + "if cat > \"$t\" && chmod \"$2\" \"$t\" && mv -f -- \"$t\" \"$1\"; then exit 0; fi; rm -f -- \"$t\"; exit 1"
        return PlannedCommand(on: host, argv: ["sh", "-c", script, "sh", path, mode], stdin: text)
    }
}
