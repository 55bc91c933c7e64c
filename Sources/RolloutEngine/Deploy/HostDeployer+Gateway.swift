import RolloutConfig
import RolloutCore
import RolloutGateway
import RolloutJSON
import RolloutStore

extension HostDeployer {
    /// The rollout's gateway binding; a `drain` host cannot go on without one.
    func boundGateway() throws -> GatewayBinding {
        guard let gateway = context.gateway else {
            throw DeployError(.gateway, "\(plan.name) uses the drain strategy but this run has no gateway binding")
        }
        return gateway
    }

    /// Carries out a gateway step through the playbook's driver; returns what the journal keeps (every state read
    /// back from the gateway: after the change, and for a re-check what was found and what was done about it).
    func perform(_ step: GatewayStep) async throws -> [String: JSONValue] {
        let binding = try boundGateway()
        let gateway = binding.gateway
        let target = try binding.target(plan.name)
        switch step.operation {
        case .drain:
            return ["gateway": try JSONValue(encoding: try await gateway.drain(target))]
        case .restore:
            return ["gateway": try JSONValue(encoding: try await gateway.restore(target))]
        case .recheckRestored:
            return ["gateway_recheck": try recheckJSON(try await gateway.recheckRestored(target))]
        case .recheckDrained:
            // A gateway reload during the drain wait may have put the host back: drain it again, and wait again
            // (it may have taken new connections meanwhile).
            let recheck = try await gateway.recheckDrained(target)
            var details = ["gateway_recheck": try recheckJSON(recheck)]
            if recheck.reapplied, let wait = drainWait {
                details["gateway_recheck_wait"] = try await waitForDrain(
                    gateway, target, deadline: wait.deadline, interval: wait.interval, onTimeout: wait.onTimeout)
            }
            return details
        }
    }

    private func recheckJSON(_ recheck: GatewayRecheck) throws -> JSONValue {
        .object([
            "found": try JSONValue(encoding: recheck.found), "status": try JSONValue(encoding: recheck.status),
            "reapplied": .bool(recheck.reapplied),
        ])
    }

    /// The drain step's deadline, poll interval and deadline choice, for a wait repeated after a re-drain.
    var drainWait: (deadline: Duration, interval: Duration, onTimeout: DrainTimeoutAction)? {
        for step in plan.steps where step.phase == .drain {
            for case .waitDrained(_, _, let deadline, let interval, let onTimeout) in step.actions {
                return (deadline, interval, onTimeout)
            }
        }
        return nil
    }

    /// Waits until the gateway counts no connection to the host, then applies `on_drain_timeout` when the deadline
    /// passed with connections still counted: `fail` throws (nothing on the host changed yet, so the host is only
    /// restored), `proceed` goes on. A gateway that cannot count waits the whole deadline and goes on: there is
    /// nothing to measure. Returns what the journal keeps: the last count read from the gateway and the choice.
    func waitForDrain(
        _ gateway: any TrafficGateway, _ target: GatewayTarget, deadline: Duration, interval: Duration,
        onTimeout: DrainTimeoutAction
    ) async throws -> JSONValue {
        let wait = try await waitUntilDrained(gateway: gateway, target: target, deadline: deadline, interval: interval)
        let timedOut = !wait.drained && (wait.status.connections ?? 0) > 0
        if timedOut && onTimeout == .fail {
            throw DeployError(
                .gateway,
                "\(plan.name) still had \(wait.status.connections ?? 0) connection(s) in the gateway after the drain "
                    + "deadline of \(ConfigDuration.format(deadline)) (\(wait.polls) reads; on_drain_timeout: fail): "
                    + "it was not restarted and is put back in rotation; raise gateway.drain_deadline, or set "
                    + "on_drain_timeout: proceed to restart with connections open")
        }
        return .object([
            "drained": .bool(wait.drained), "polls": .int(Int64(wait.polls)),
            "connections": wait.status.connections.map { .int(Int64($0)) } ?? .null,
            "elapsed_ms": .int(Int64(wait.elapsed.milliseconds.rounded())),
            "deadline_reached": .bool(!wait.drained), "on_timeout": .string(onTimeout.rawValue),
            "proceeded_with_connections": .bool(timedOut),
        ])
    }
}
