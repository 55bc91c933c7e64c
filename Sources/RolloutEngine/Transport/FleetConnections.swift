import RolloutConfig
import SSHClient

/// One connection per host, opened on first use and reused for every operation of a run.
///
/// Concurrent requests for the same host share one connection attempt, so a host is never
/// dialled twice. A failed attempt is remembered for the run: later operations on that host fail
/// with the same error instead of waiting out the connect timeout again.
///
/// The connections are SSH (`init(resolver:options:)`) or, for `rollout deploy --simulate`, simulated hosts
/// (`init(connector:)`); the engine sees only `HostTransport`.
public actor FleetConnections {
    /// Opens the connection to one host.
    public typealias Connector = @Sendable (InventoryHost) async throws -> any HostTransport

    private let connector: Connector
    private var connections: [String: Task<any HostTransport, any Error>] = [:]

    /// SSH connections to the endpoints `resolver` makes of the inventory hosts.
    public init(resolver: EndpointResolver, options: SSHOptions) {
        connector = { host in
            let endpoint = try resolver.endpoint(for: host)
            return try await SSHConnection.connect(endpoint, options: options)
        }
    }

    /// Connections made by `connector` (a simulation).
    public init(connector: @escaping Connector) {
        self.connector = connector
    }

    /// The connection to `host`, connecting if this run has not yet.
    public func connection(to host: InventoryHost) async throws -> any HostTransport {
        if let existing = connections[host.name] { return try await existing.value }
        let connector = self.connector
        let attempt = Task { try await connector(host) }
        connections[host.name] = attempt
        return try await attempt.value
    }

    /// Closes every open connection; the fleet can be used again afterwards (it reconnects).
    public func closeAll() async {
        let all = connections.values
        connections.removeAll()
        for attempt in all {
            if let connection = try? await attempt.value { await connection.close() }
        }
    }
}
