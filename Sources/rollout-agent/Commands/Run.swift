import AgentKit
import ArgumentParser
import Foundation

/// `rollout-agent run --config FILE`: the agent itself (runs until TERM/INT or `ctl stop`). When a previous agent for
/// the same config died and left its service running, this one takes the service over instead of starting it.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the agent for the service described in FILE (taking over a running service a dead agent left).")

    @Option(name: .long, help: "The agent's YAML config (schema: docs/agent.md).")
    var config: String?

    @Flag(
        name: .long,
        help: "Only say whether this binary reads the agent state in ROLLOUT_AGENT_STATE (exit 0) or not (exit 3).")
    var checkState = false

    func validate() throws {
        if !checkState && config == nil { throw ValidationError("Missing expected argument '--config <config>'") }
    }

    func run() throws {
        if checkState {
            let (message, status) = AgentStateSchema.check()
            print(message)
            throw ExitCode(status)
        }
        do {
            let supervisor = try Supervisor.start(configPath: config ?? "")
            let status = supervisor.run()
            throw ExitCode(status)
        } catch let error as AgentError {
            FileHandle.standardError.write(Data("rollout-agent: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
