/// How waiting for a drained host ended.
public struct DrainWaitResult: Sendable, Equatable {
    /// The last status read from the gateway.
    public var status: GatewayServerStatus
    /// True when the gateway reported 0 connections before the deadline.
    public var drained: Bool
    /// Status reads made (at least one).
    public var polls: Int
    /// Time from the start of the wait to the last read.
    public var elapsed: Duration
}

/// Polls `gateway.status(target)` every `interval` until it reports 0 connections or `deadline` has passed.
///
/// Always reads at least once, and once more at the deadline, so the result is never older than one interval.
/// A status without a connection count (the gateway cannot count) waits for the whole deadline and returns
/// `drained == false`: the caller then applies the playbook's choice (fail, or restart anyway). A status that
/// shows the host back in rotation is an error: something (an HAProxy reload, an operator) undid the drain.
public func waitUntilDrained<C: Clock>(
    gateway: any TrafficGateway, target: GatewayTarget, deadline: Duration, interval: Duration, clock: C
) async throws -> DrainWaitResult where C.Duration == Duration {
    let start = clock.now
    let end = start.advanced(by: deadline)
    var polls = 0
    while true {
        let status = try await gateway.status(target)
        polls += 1
        if status.state == .inRotation {
            throw GatewayError(
                .notConfirmed,
                "\(target.host) is back in rotation while waiting for it to drain (\(status.detail ?? "no detail")); "
                    + "a gateway reload or another tool restored it — drain it again or check the gateway")
        }
        let now = clock.now
        if status.connections == 0 {
            return DrainWaitResult(status: status, drained: true, polls: polls, elapsed: start.duration(to: now))
        }
        if now >= end {
            return DrainWaitResult(status: status, drained: false, polls: polls, elapsed: start.duration(to: now))
        }
        let next = now.advanced(by: interval)
        try await clock.sleep(until: next < end ? next : end, tolerance: nil)
    }
}

/// `waitUntilDrained` on the continuous clock.
public func waitUntilDrained(
    gateway: any TrafficGateway, target: GatewayTarget, deadline: Duration, interval: Duration
) async throws -> DrainWaitResult {
    try await waitUntilDrained(
        gateway: gateway, target: target, deadline: deadline, interval: interval, clock: ContinuousClock())
}
