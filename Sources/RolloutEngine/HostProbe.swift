import Foundation
import RolloutConfig
import SSHClient

/// The answer of one host to `rollout ping`.
public struct PingResult: Sendable {
    public var host: String
    public var address: String
    public var port: Int
    public var outcome: HostOutcome
    /// Milliseconds to connect, exchange keys and authenticate.
    public var connectMilliseconds: Double?
    /// Milliseconds for one command round trip on the open connection.
    public var roundTripMilliseconds: Double?
    /// The host's `uname -sr`.
    public var system: String?
}

/// Connects to a host and runs one command to show that it answers.
public enum HostProbe {
    /// Connects (through `fleet`, so the connection is reused) and runs `uname -sr`.
    public static func ping(_ host: InventoryHost, fleet: FleetConnections, timeout: Duration) async -> PingResult {
        var result = PingResult(host: host.name, address: host.address, port: host.port, outcome: .ok)
        let clock = ContinuousClock()
        do {
            let connectStart = clock.now
            let connection = try await fleet.connection(to: host)
            result.connectMilliseconds = (clock.now - connectStart).milliseconds
            let command = try await connection.execute("uname -sr", timeout: timeout)
            result.roundTripMilliseconds = command.duration.milliseconds
            guard command.succeeded else {
                result.outcome = .failed(code: "command", message: "uname -sr: \(command.statusDescription)")
                return result
            }
            result.system = command.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            result.outcome = HostOutcome(error: error)
        }
        return result
    }
}

extension SSHCommandResult {
    /// "exit 3", "signal KILL", or "no exit status".
    public var statusDescription: String {
        if let signal = exitSignal { return "killed by signal \(signal)" }
        if let status = exitStatus { return "exit \(status)" }
        return "no exit status"
    }
}

extension Duration {
    /// The duration in milliseconds, as a fractional number.
    public var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
