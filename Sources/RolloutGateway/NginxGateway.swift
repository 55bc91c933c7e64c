import RolloutConfig
import RolloutCore
import RolloutText

/// The nginx driver: the host's `server ADDRESS ...;` line in an upstream file gets (or loses) `down`, the
/// configuration is tested (`nginx -t`), then nginx is reloaded (old workers finish their requests).
///
/// The file is read and written through the runner (written to a temporary file next to it, then renamed over
/// it, keeping its mode), so it works on the controller and on a gateway host alike. If the test or the reload
/// fails, the previous file is put back and the error names the command and its output. Every call tests and
/// reloads even when the file is already as asked, because a controller that died between the write and the
/// reload leaves a file nginx has not loaded. The state comes from the file (`down` → `out`); connections come
/// from the `status` command when the playbook gives one (its output contract is `GatewayStatusOutput`), else
/// they are unknown (`nil`).
public struct NginxGateway: TrafficGateway {
    public let kind = "nginx"
    public var upstreamFile: Template
    public var reloadCommand: Template
    public var statusCommand: Template?
    /// Checks the configuration before the reload; nil: `nginx -t` with the reload command's `-c`/`-p`/`-g`.
    public var testCommand: Template?
    public var runner: any GatewayCommandRunner
    public var render: GatewayTemplateRenderer
    public var timeout: Duration

    public init(
        upstreamFile: Template, reload: Template, status: Template?, test: Template? = nil,
        runner: any GatewayCommandRunner, render: @escaping GatewayTemplateRenderer, timeout: Duration = .seconds(60)
    ) {
        self.upstreamFile = upstreamFile
        self.reloadCommand = reload
        self.statusCommand = status
        self.testCommand = test
        self.runner = runner
        self.render = render
        self.timeout = timeout
    }

    public func drain(_ target: GatewayTarget) async throws -> GatewayServerStatus {
        try await mark(target, down: true)
    }

    public func restore(_ target: GatewayTarget) async throws -> GatewayServerStatus {
        try await mark(target, down: false)
    }

    public func status(_ target: GatewayTarget) async throws -> GatewayServerStatus {
        let file = try render(upstreamFile, target.host)
        let text = try await read(file)
        guard let down = NginxUpstreamFile.isDown(text, server: target.server) else { throw unknown(target, file) }
        var connections: Int?
        if let statusCommand {
            let command = try render(statusCommand, target.host)
            let result = try await runner.run(ShellQuote.join(ShellQuote.shell(command)), stdin: nil, timeout: timeout)
            guard result.status == 0 else {
                throw GatewayError.failed("reading the connections of \(target.host)", command: command, result)
            }
            connections = try GatewayStatusOutput.parse(result.stdout, command: command).connections
        }
        return GatewayServerStatus(
            host: target.host, state: down ? .out : .inRotation, connections: connections,
            detail: down ? "`server \(target.server)` marked down in \(file)" : "`server \(target.server)` in \(file)")
    }

    /// The command that checks the configuration: the given one, or `nginx -t` with the reload command's
    /// configuration flags (`nginx -p P -c C -s reload` → `nginx -p P -c C -t`).
    public func configTest(for host: String) throws -> String {
        if let testCommand { return try render(testCommand, host) }
        return NginxCommands.configTest(reload: try render(reloadCommand, host))
    }

    private func mark(_ target: GatewayTarget, down: Bool) async throws -> GatewayServerStatus {
        let file = try render(upstreamFile, target.host)
        let original = try await read(file)
        let edit = NginxUpstreamFile.mark(original, server: target.server, down: down)
        guard edit.matches > 0 else { throw unknown(target, file) }
        if edit.changed { try await write(edit.text, to: file) }
        for command in [try configTest(for: target.host), try render(reloadCommand, target.host)] {
            let result = try await runner.run(ShellQuote.join(ShellQuote.shell(command)), stdin: nil, timeout: timeout)
            guard result.status == 0 else {
                if edit.changed { try await write(original, to: file) }
                throw GatewayError(
                    .rejected,
                    "marking \(target.server) \(down ? "down" : "up") in \(file): `\(command)` exited with status "
                        + "\(result.status)\(result.outputSummary); the previous file was put back")
            }
        }
        let after = try await status(target)
        guard (after.state == .out) == down else {
            throw GatewayError(
                .notConfirmed, "\(file) does not show \(target.server) \(down ? "down" : "up") after the edit")
        }
        return after
    }

    private func read(_ file: String) async throws -> String {
        let command = ShellQuote.join(NginxCommands.read(file))
        let result = try await runner.run(command, stdin: nil, timeout: timeout)
        guard result.status == 0 else {
            throw GatewayError.failed("reading the nginx upstream file", command: command, result)
        }
        return result.stdout
    }

    private func write(_ text: String, to file: String) async throws {
        // A temporary file beside the target and a rename: nginx never reads a half-written file.
        let command = ShellQuote.join(NginxCommands.write(file))
        let result = try await runner.run(command, stdin: Array(text.utf8), timeout: timeout)
        guard result.status == 0 else { throw GatewayError.failed("writing \(file)", command: command, result) }
    }

    private func unknown(_ target: GatewayTarget, _ file: String) -> GatewayError {
        GatewayError(
            .unknownServer,
            "\(file) has no `server \(target.server) ...;` line for \(target.host); check `server` in the "
                + "playbook's gateway against the upstream block")
    }
}
