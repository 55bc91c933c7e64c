import ArgumentParser
import Foundation

@main
struct Rollout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Zero-downtime rolling upgrades across a fleet of Linux hosts.",
        subcommands: [History.self, Show.self, Lock.self]
    )

    /// ArgumentParser's own entry point, except that invalid arguments exit 2 (the project's "invalid
    /// input") instead of ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
