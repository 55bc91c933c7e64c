import RolloutConfig
import RolloutCore
import RolloutText

/// The `command` driver: the playbook's own `drain`, `restore` and `status` commands, rendered per host and run
/// where the gateway lives.
///
/// Contract: `drain` and `restore` exit 0 on success (and should be idempotent: they are run again on resume);
/// `status` follows `GatewayStatusOutput`. Without a `status` command the driver cannot read anything back:
/// `status` reports `unknown` with no connection count, and `drain`/`restore` report `draining`/`in_rotation`
/// with the detail `not confirmed: no status command` so reports never claim a confirmation that did not happen.
public struct CommandGateway: TrafficGateway {
    public let kind = "command"
    public var drainCommand: Template
    public var restoreCommand: Template
    public var statusCommand: Template?
    public var runner: any GatewayCommandRunner
    public var render: GatewayTemplateRenderer
    /// Limit for each command.
    public var timeout: Duration

    public init(
        drain: Template, restore: Template, status: Template?, runner: any GatewayCommandRunner,
        render: @escaping GatewayTemplateRenderer, timeout: Duration = .seconds(60)
    ) {
        self.drainCommand = drain
        self.restoreCommand = restore
        self.statusCommand = status
        self.runner = runner
        self.render = render
        self.timeout = timeout
    }

    public func drain(_ target: GatewayTarget) async throws -> GatewayServerStatus {
        try await change(target, drainCommand, what: "drain", expect: .draining)
    }

    public func restore(_ target: GatewayTarget) async throws -> GatewayServerStatus {
        try await change(target, restoreCommand, what: "restore", expect: .inRotation)
    }

    public func status(_ target: GatewayTarget) async throws -> GatewayServerStatus {
        guard let statusCommand else {
            return GatewayServerStatus(host: target.host, state: .unknown, detail: "no status command")
        }
        // Run by `sh -c` as the plan shows it; messages name the command as the playbook wrote it.
        let command = try render(statusCommand, target.host)
        let result = try await runner.run(ShellQuote.join(ShellQuote.shell(command)), stdin: nil, timeout: timeout)
        guard result.status == 0 else {
            throw GatewayError.failed("reading the gateway status of \(target.host)", command: command, result)
        }
        let parsed = try GatewayStatusOutput.parse(result.stdout, command: command)
        return GatewayServerStatus(host: target.host, state: parsed.state, connections: parsed.connections)
    }

    private func change(
        _ target: GatewayTarget, _ template: Template, what: String, expect: GatewayServerState
    ) async throws -> GatewayServerStatus {
        let command = try render(template, target.host)
        let result = try await runner.run(ShellQuote.join(ShellQuote.shell(command)), stdin: nil, timeout: timeout)
        guard result.status == 0 else {
            throw GatewayError.failed("\(what) of \(target.host)", command: command, result)
        }
        guard statusCommand != nil else {
            return GatewayServerStatus(host: target.host, state: expect, detail: "not confirmed: no status command")
        }
        let after = try await status(target)
        // A status that reports a state must report the one asked for; one that reports only a count cannot
        // contradict the change.
        if after.state != .unknown && after.state.isInRotation != expect.isInRotation {
            throw GatewayError(
                .notConfirmed,
                "\(what) of \(target.host): `\(command)` succeeded but the status command then reported "
                    + "state=\(after.state.rawValue); check that both commands address the same server")
        }
        if after.state == .unknown {
            // A bare-count status cannot show the state; the exit status of the command is all there is.
            var confirmed = after
            confirmed.state = expect
            confirmed.detail = "state from the exit status of `\(what)`; the status command reports only a count"
            return confirmed
        }
        return after
    }
}
