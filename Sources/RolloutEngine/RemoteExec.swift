import RolloutConfig
import SSHClient

/// What one host did with `rollout exec`.
public struct ExecResult: Sendable {
    public var host: String
    public var outcome: HostOutcome
    public var exitStatus: Int32?
    public var exitSignal: String?
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var milliseconds: Double
}

/// Runs one shell command on a host and reports how it ended.
public enum RemoteExec {
    /// Runs `command` on `host`. Output chunks are passed to `output` as they arrive (and kept in
    /// the result); a non-zero exit or a signal is a `.failed` outcome, not an error.
    public static func run(
        _ command: String,
        on host: InventoryHost,
        fleet: FleetConnections,
        timeout: Duration?,
        keepOutput: Bool = true,
        output: (@Sendable (SSHOutputChunk) -> Void)? = nil
    ) async -> ExecResult {
        var result = ExecResult(host: host.name, outcome: .ok, stdout: [], stderr: [], milliseconds: 0)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let connection = try await fleet.connection(to: host)
            let done = try await connection.execute(command, stdin: nil, timeout: timeout, output: output)
            result.exitStatus = done.exitStatus
            result.exitSignal = done.exitSignal
            if keepOutput {
                result.stdout = done.stdout
                result.stderr = done.stderr
            }
            if !done.succeeded { result.outcome = .failed(code: "command", message: done.statusDescription) }
        } catch {
            result.outcome = HostOutcome(error: error)
        }
        result.milliseconds = (clock.now - start).milliseconds
        return result
    }
}
