import ArgumentParser

/// `rollout-lab`: a local fleet of real sshd hosts on 127.0.0.1 for the demo, manual tries and benchmarks.
@main
struct RolloutLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout-lab",
        abstract: "Start, inspect and stop a local cluster of sshd hosts on 127.0.0.1.",
        subcommands: [Up.self, Down.self, Status.self, Load.self]
    )
}
