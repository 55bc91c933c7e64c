import ArgumentParser

/// `rollout promote [ID]`: lets a rollout that stopped after its canary (`promote: manual`) continue.
struct Promote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a rollout that waits after its canary (canary.promote: manual).",
        discussion: """
            Without ID: the newest unfinished rollout not superseded by a newer one. Only a rollout whose canary was \
            verified and baked and that waits (`canary.waiting` in `rollout show`) can be promoted; one stopped during \
            its bake is finished with `rollout resume`, which bakes the rest and then waits. A rollout superseded by \
            a newer rollout of its inventory is refused (exit 2). Exit codes as `rollout deploy`.
            """)

    @OptionGroup var target: ResumeTarget
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var run: DeployRunOptions

    func run() async throws {
        try await Resume.resume(
            id: target.id, playbook: target.playbook, promote: true, connection: connection, run: run)
    }
}
