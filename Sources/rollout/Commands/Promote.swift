import ArgumentParser

/// `rollout promote [ID]`: lets a rollout that stopped after its canary (`promote: manual`) continue.
struct Promote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a rollout that waits after its canary (canary.promote: manual).",
        discussion: "Without ID: the newest unfinished rollout. Exit codes as `rollout deploy`.")

    @Argument(help: "The rollout id (see `rollout history`).")
    var id: Int64?

    @Option(name: .shortAndLong, help: "Playbook name or path, when it is not the rollout's.")
    var playbook: String?

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var run: DeployRunOptions

    func run() async throws {
        try await Resume.resume(id: id, playbook: playbook, promote: true, connection: connection, run: run)
    }
}
