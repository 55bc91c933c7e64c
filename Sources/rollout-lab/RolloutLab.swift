import ArgumentParser

@main
struct RolloutLab: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollout-lab")
}
