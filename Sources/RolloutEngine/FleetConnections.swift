import RolloutConfig
import SSHClient

/// One SSH connection per host, opened on first use and reused for every operation of a run.
///
/// Concurrent requests for the same host share one connection attempt, so a host is never
/// dialled twice. A failed attempt is remembered for the run: later operations on that host fail
/// with the same error instead of waiting out the connect timeout again.
public actor FleetConnections {
    private let options: SSHOptions
    private let resolver: EndpointResolver
    private var connections: [String: Task<SSHConnection, any Error>] = [:]

    public init(resolver: EndpointResolver, options: SSHOptions) {
        self.resolver = resolver
        self.options = options
    }

    /// The connection to `host`, connecting if this run has not yet.
    public func connection(to host: InventoryHost) async throws -> SSHConnection {
        if let existing = connections[host.name] { return try await existing.value }
        let endpoint = try resolver.endpoint(for: host)
        let options = self.options
        let attempt = Task { try await SSHConnection.connect(endpoint, options: options) }
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
