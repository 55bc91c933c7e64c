import AgentKit
import ArgumentParser

/// `rollout-agent`: supervises one service and hands its listening sockets to each new release.
@main
struct RolloutAgent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout-agent",
        abstract: "Hand a service's listening sockets to its new release with zero refused connections.",
        version: AgentVersion.banner,
        subcommands: [Run.self, Ctl.self]
    )
}
