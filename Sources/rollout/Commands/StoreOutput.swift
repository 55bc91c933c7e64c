import ArgumentParser
import Foundation
import RolloutStore

// Options and error handling shared by the journal commands (`history`, `show`, `lock`).

/// `--state` and `--output` of the commands that read the journal.
struct JournalOptions: ParsableArguments {
    @Option(name: .customLong("state"), help: ArgumentHelp(JournalState.help, valueName: "path-or-url"))
    var stateOption: String?

    /// The journal named by `--state`, `ROLLOUT_STATE` or the default.
    var state: String { JournalState.resolve(stateOption) }

    @Option(name: .long, help: "Output format: text or json.")
    var output: OutputFormat = .text

    init() {}

    /// Only where the journal is: `rollout show` has its own `--output`.
    init(state: String?) {
        self.stateOption = state
    }

    /// The journal, or nil when it is a SQLite file that does not exist (read-only commands never create it).
    func openExisting() async throws -> JournalStore? {
        try await JournalState.openExisting(state)
    }
}

/// Runs a command body, turning journal and database errors into a one-line message and an exit code:
/// 2 for a `--state` that cannot be opened as a journal, 8 for a PostgreSQL journal that cannot be reached, 70 for
/// anything else unexpected.
func withJournalErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error where JournalState.exit(for: error) != nil {
        let exit = JournalState.exit(for: error)!
        printError(exit.message)
        throw ExitCode(exit.code)
    } catch {
        printError("\(error)")
        throw RolloutExit.internalError
    }
}
