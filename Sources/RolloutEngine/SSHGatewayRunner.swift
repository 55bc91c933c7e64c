import RolloutConfig
import RolloutGateway
import SSHClient

/// Runs gateway commands on an inventory host (`gateway.on: lb1`) over the run's SSH connection to it.
///
/// The connection is taken from `FleetConnections` on first use, so a gateway that is also a deploy target
/// shares its one connection. A command killed by a signal reports 128 + 9 (the signal number is not known from
/// its name here); a host that cannot be reached throws the `SSHError`, which `HostOutcome` classifies.
public struct SSHGatewayRunner: GatewayCommandRunner {
    public let host: InventoryHost
    public let fleet: FleetConnections

    public init(host: InventoryHost, fleet: FleetConnections) {
        self.host = host
        self.fleet = fleet
    }

    public func run(_ command: String, stdin: [UInt8]?, timeout: Duration) async throws -> GatewayCommandResult {
        let connection = try await fleet.connection(to: host)
        let result = try await connection.execute(command, stdin: stdin, timeout: timeout)
        let status = result.exitStatus ?? (result.exitSignal == nil ? -1 : 128 + 9)
        return GatewayCommandResult(
            status: status, stdout: result.stdoutText,
            stderr: String(decoding: result.stderr, as: UTF8.self))
    }
}
