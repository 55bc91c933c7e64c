import ArgumentParser
import Foundation

@main
struct Rollout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Zero-downtime rolling upgrades across a fleet of Linux hosts.",
        discussion: "Exit codes: 0 ok, 1 failed, 2 invalid input, 3 host unreachable, 4 failed and left partial, 5 lock held, 6 interrupted, 70 internal error.",
        subcommands: [
            Ping.self, Exec.self, PlanCommand.self, CheckCommand.self, Deploy.self, Rollback.self, Resume.self,
            Promote.self, AgentGroup.self, History.self, Show.self, LiveConfig.self, Lock.self, Gateway.self,
        ]
    )

    /// Runs the command, mapping ArgumentParser's usage errors (EX_USAGE, 64) to the project's
    /// "invalid input" code so that every bad input exits 2, whether it is a flag or a file.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(RolloutExit.invalidInput.rawValue)
            }
            exit(withError: error)
        }
    }
}
