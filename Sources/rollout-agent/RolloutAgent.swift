import ArgumentParser

@main
struct RolloutAgent: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollout-agent")
}
