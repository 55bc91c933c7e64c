import ArgumentParser
import Foundation
import RolloutTestSupport

/// `rollout-lab load ...`: bounded HTTP load against a service on this machine, counting every failure kind.
struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send bounded HTTP load to a local service and report every failed request.",
        discussion: LoadGenerator.commandLineUsage)

    @Argument(parsing: .captureForPassthrough, help: "The load options (see below).")
    var arguments: [String] = []

    func run() throws {
        let status = LoadGenerator.commandLineMain(arguments)
        if status != 0 { throw ExitCode(status) }
    }
}
