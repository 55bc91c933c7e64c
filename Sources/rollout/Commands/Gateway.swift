import ArgumentParser

/// `rollout gateway status`: what the traffic gateway in front of the fleet says about each host.
struct Gateway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect the traffic gateway (HAProxy, LVS, nginx or your commands) of a playbook.",
        subcommands: [Status.self]
    )
}
