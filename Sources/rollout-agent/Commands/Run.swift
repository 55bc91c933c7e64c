import AgentKit
import ArgumentParser
import Foundation

/// `rollout-agent run --config FILE`: the agent itself (runs until TERM/INT or `ctl stop`).
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the agent for the service described in FILE.")

    @Option(name: .long, help: "The agent's YAML config (schema: docs/agent.md).")
    var config: String

    func run() throws {
        do {
            let supervisor = try Supervisor.start(configPath: config)
            let status = supervisor.run()
            throw ExitCode(status)
        } catch let error as AgentError {
            FileHandle.standardError.write(Data("rollout-agent: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
