import Foundation
import RolloutCore
import RolloutText
import SSHClient

/// Runs a host's planned commands over its one connection of the run (SSH, or a simulated host).
public struct HostShell: Sendable {
    public let host: String
    public let connection: any HostTransport

    public init(host: String, connection: any HostTransport) {
        self.host = host
        self.connection = connection
    }

    /// Runs `command` (its argv quoted by `ShellQuote`); a non-zero exit throws `DeployError.command` unless the
    /// command `mayFail`.
    @discardableResult
    public func run(_ command: PlannedCommand, timeout: Duration = .seconds(60)) async throws -> SSHCommandResult {
        let result = try await connection.execute(
            command.line, stdin: command.stdin.map { Array($0.utf8) }, timeout: command.timeout ?? timeout)
        if !result.succeeded && !command.mayFail {
            let stderr = result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            throw DeployError(
                .command,
                "`\(command.line)` on \(host): \(result.statusDescription)"
                    + (stderr.isEmpty ? "" : ": \(stderr.suffix(400))"))
        }
        return result
    }

    /// Runs a read-only probe (`HostProbes`); returns the result whatever its exit status.
    public func probe(_ command: PlannedCommand, timeout: Duration = .seconds(30)) async throws -> SSHCommandResult {
        var probe = command
        probe.mayFail = true
        return try await run(probe, timeout: timeout)
    }
}
