import ArgumentParser

@main
struct Rollout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Zero-downtime rolling upgrades across a fleet of Linux hosts.",
        subcommands: [PlanCommand.self, CheckCommand.self]
    )
}
