import Crypto
import Foundation
import RolloutCore
import RolloutText
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
            try await shell.run(AgentInstallCommands(target).prepareDirectories())
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
                    let log =
                        initSystem == .systemd ? "journalctl -u \(AgentInstallCommands(target).unit)" : target.logFile
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
        try await shell.run(AgentInstallCommands(target).writeConfig())
        return true
    }

    private func start(_ target: AgentInstallTarget, _ shell: HostShell) async throws {
        let commands = AgentInstallCommands(target)
        switch initSystem {
        case .none: try await shell.run(commands.startDetached())
        case .systemd:
            for command in commands.startWithSystemd(unitDirectory: unitDirectory) { try await shell.run(command) }
        }
    }
}
