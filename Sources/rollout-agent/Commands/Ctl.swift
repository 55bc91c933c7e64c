import AgentKit
import ArgumentParser
import Foundation

/// `rollout-agent ctl --socket PATH status|restart [--cold]|reload-service|stop|reload|upgrade-agent [--fence N]`: talks to a
/// running agent and prints its JSON answer on stdout. Exit status: 0 ok, 1 failed, 2 refused, 3 agent unreachable
/// or no valid answer, 64 usage or bad request (docs/agent.md).
struct Ctl: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Control a running agent; prints its JSON answer.")

    @Option(name: .long, help: "The agent's control socket.")
    var socket: String?

    @Option(name: .long, help: "Read control_socket from this agent config instead of --socket.")
    var config: String?

    @Option(name: .long, help: "upgrade-agent: the new rollout-agent binary (absolute path).")
    var binary: String?

    @Flag(
        name: .long,
        help: "restart: stop the running generation first, then start the new release on the same sockets.")
    var cold = false

    @Option(
        name: .long,
        help: """
            restart, reload-service, stop: the controller's fencing token. Refused (exit 2) when lower than the \
            highest the agent has seen for this service; without it, nothing is checked.
            """)
    var fence: Int64?

    @Option(name: .long, help: "Seconds to wait for the answer (restart waits for the whole handoff).")
    var timeout: Int = 900

    @Argument(help: "status | restart | reload-service | stop | reload | upgrade-agent")
    var command: String

    func validate() throws {
        guard ControlRequest.commands.contains(command) else {
            throw ValidationError(
                "unknown command '\(command)'; use one of \(ControlRequest.commands.joined(separator: ", "))")
        }
        guard (socket == nil) != (config == nil) else {
            throw ValidationError("give exactly one of --socket or --config")
        }
        if command == "upgrade-agent" {
            guard let binary, binary.hasPrefix("/") else {
                throw ValidationError("upgrade-agent needs --binary ABSOLUTE-PATH")
            }
        } else if binary != nil {
            throw ValidationError("--binary applies to upgrade-agent only")
        }
        if cold && command != "restart" { throw ValidationError("--cold applies to restart only") }
        if let fence {
            guard ControlRequest.fencedCommands.contains(command) else {
                throw ValidationError(
                    "--fence applies to \(ControlRequest.fencedCommands.joined(separator: ", ")) only")
            }
            guard fence > 0 else { throw ValidationError("--fence must be a positive integer") }
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() throws {
        // An agent that refuses us may close before our request is written: report it, do not die of SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        do {
            let path = try socket ?? AgentConfig.load(path: config ?? "").controlSocket
            let (raw, response) = try ControlClient.send(
                ControlRequest(command: command, binary: binary, mode: cold ? "cold" : nil, fence: fence),
                socketPath: path,
                timeoutSeconds: timeout)
            print(raw)
            let status = ControlClient.exitStatus(for: response)
            if status != 0 { throw ExitCode(status) }
        } catch let error as AgentError {
            FileHandle.standardError.write(Data("rollout-agent ctl: \(error)\n".utf8))
            throw ExitCode(ControlClient.unreachableStatus)
        }
    }
}
