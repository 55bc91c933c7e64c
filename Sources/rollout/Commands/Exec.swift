import ArgumentParser
import Foundation
import RolloutConfig
import RolloutEngine
import SSHClient

/// `rollout exec -- COMMAND...`: run one shell command on every host.
struct Exec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a shell command on every host in parallel.",
        discussion: """
            The words after `--` are joined with spaces and run by the remote user's shell, as \
            `ssh host COMMAND` does. Output is streamed line by line, prefixed with the host name \
            (standard error to standard error). Exit 0 if the command succeeded everywhere, 1 if it \
            failed on any host, 3 if any host was unreachable.

            --timeout stops waiting: a host whose command has not finished in time is reported as \
            timed out (a failure, `command-timeout`) and its SSH channel is closed. The remote command is \
            NOT killed (the SSH library cannot send it a signal): it runs on until it exits, or until it \
            writes to the closed channel. To bound the command itself, run it under the host's \
            `timeout`, e.g. `rollout exec ... -- timeout 30s ./task`.
            """
    )

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var fanOut: FanOutOptions
    @OptionGroup var output: OutputOptions

    @Option(
        help: """
            Stop waiting for a host whose command has not finished after this long (e.g. 30s, 5m): it is \
            reported as timed out. The remote command is not killed; use the host's `timeout` for that.
            """)
    var timeout: String?

    @Argument(parsing: .captureForPassthrough, help: "The command to run, after `--`.")
    var command: [String] = []

    func validate() throws {
        let words = command.first == "--" ? Array(command.dropFirst()) : command
        guard !words.isEmpty else { throw ValidationError("give the command to run after `--`") }
        if let timeout {
            do { _ = try ConfigDuration.parse(timeout) } catch { throw ValidationError("--timeout: \(error)") }
        }
    }

    func run() async throws {
        let commandLine = (command.first == "--" ? Array(command.dropFirst()) : command).joined(separator: " ")
        let timeout = try self.timeout.map { try ConfigDuration.parse($0) }
        let (inventory, hosts) = try self.inventory.load()
        let fleet = FleetConnections(resolver: EndpointResolver(inventory: inventory), options: connection.sshOptions)
        let streaming = output.output == .text
        let width = hosts.map(\.name.count).max() ?? 0

        let results: [ExecResult] = await boundedFanOut(hosts, limit: fanOut.forks) { host in
            await Self.run(commandLine, on: host, fleet: fleet, timeout: timeout,
                           prefix: streaming ? host.name.padding(toLength: width, withPad: " ", startingAt: 0) : nil)
        }
        await fleet.closeAll()

        switch output.output {
        case .text: print(Self.summary(results), terminator: "")
        case .json: try printJSON(ExecReport(command: commandLine, results))
        }
        throw Ping.exitCode(results.map(\.outcome))
    }

    /// Runs on one host; with a `prefix`, streams its output line by line instead of keeping it.
    static func run(_ command: String, on host: InventoryHost, fleet: FleetConnections, timeout: Duration?,
                    prefix: String?) async -> ExecResult {
        let printer = prefix.map(PrefixedOutput.init(prefix:))
        var sink: (@Sendable (SSHOutputChunk) -> Void)?
        if let printer { sink = { printer.write($0) } }
        let result = await RemoteExec.run(command, on: host, fleet: fleet, timeout: timeout,
                                          keepOutput: printer == nil, output: sink)
        printer?.finish()
        if let printer, let message = result.outcome.errorMessage, result.exitStatus == nil {
            printer.error(message)
        }
        return result
    }

    static func summary(_ results: [ExecResult]) -> String {
        var table = TextTable("HOST", "RESULT", "EXIT", "TIME")
        for r in results {
            let exit = r.exitSignal.map { "signal \($0)" } ?? r.exitStatus.map(String.init) ?? "-"
            table.add([r.host, r.outcome.isOK ? "ok" : (r.outcome.errorCode ?? "failed"), exit,
                       String(format: "%.0fms", r.milliseconds)])
        }
        let ok = results.filter(\.outcome.isOK).count
        return "\n" + table.render() + "\(ok)/\(results.count) hosts succeeded\n"
    }
}

/// The JSON document of `rollout exec --output json`.
struct ExecReport: Encodable {
    struct Host: Encodable {
        var name: String
        var ok: Bool
        var exitStatus: Int32?
        var exitSignal: String?
        var stdout: String
        var stderr: String
        var durationMs: Double?
        var error: HostError?
    }
    var command: String
    var hosts: [Host]
    var summary: Summary

    init(command: String, _ results: [ExecResult]) {
        self.command = command
        hosts = results.map {
            Host(name: $0.host, ok: $0.outcome.isOK, exitStatus: $0.exitStatus, exitSignal: $0.exitSignal,
                 stdout: String(decoding: $0.stdout, as: UTF8.self), stderr: String(decoding: $0.stderr, as: UTF8.self),
                 durationMs: roundedMilliseconds($0.milliseconds), error: HostError($0.outcome))
        }
        summary = Summary(results.map(\.outcome))
    }
}
