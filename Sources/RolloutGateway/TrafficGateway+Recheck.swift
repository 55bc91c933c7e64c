/// What a re-check found, and what it did about it.
public struct GatewayRecheck: Sendable, Equatable {
    /// The status read first.
    public var found: GatewayServerStatus
    /// The status after the re-check: `found`, or the read-back of the re-applied change.
    public var status: GatewayServerStatus
    /// True when the host was not as expected and the change was made again.
    public var reapplied: Bool
}

extension TrafficGateway {
    /// Just before a restart: reads `target` and, when the gateway has put it back in rotation (an HAProxy reload
    /// returns every server to its configured state; an operator or a config manager may have), drains it again.
    ///
    /// After a re-applied drain the host may have taken new connections: the caller should wait until drained
    /// again before restarting, and journal `found` (the gateway's reverted state) as well as `status`.
    public func recheckDrained(_ target: GatewayTarget) async throws -> GatewayRecheck {
        let found = try await status(target)
        guard found.state == .inRotation else { return GatewayRecheck(found: found, status: found, reapplied: false) }
        return GatewayRecheck(found: found, status: try await drain(target), reapplied: true)
    }

    /// After the restore: reads `target` and, when the gateway shows it draining or out, restores it again; throws
    /// when even that is not confirmed. A gateway that reports no state (`unknown`: a `command` gateway whose status
    /// prints only a count, or none) is not restored again: its restore was confirmed by the command's exit status
    /// alone, and a second run could show nothing more.
    public func recheckRestored(_ target: GatewayTarget) async throws -> GatewayRecheck {
        let found = try await status(target)
        guard found.state == .draining || found.state == .out else {
            return GatewayRecheck(found: found, status: found, reapplied: false)
        }
        return GatewayRecheck(found: found, status: try await restore(target), reapplied: true)
    }
}
