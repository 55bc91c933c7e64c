import ArgumentParser
import Foundation
import RolloutStore

// Options and error handling shared by the journal commands (`history`, `show`, `lock`).

/// `--state` and `--output` of the commands that read the journal.
struct JournalOptions: ParsableArguments {
    @Option(name: .long, help: "The journal database (relative paths are from the current directory).")
    var state: String = ".rollout/state.db"

    @Option(name: .long, help: "Output format: text or json.")
    var output: OutputFormat = .text

    init() {}

    /// Only where the journal is: `rollout show` has its own `--output`.
    init(state: String) {
        self.state = state
    }

    /// The journal, or nil when the file does not exist (read-only commands never create it).
    func openExisting() throws -> JournalStore? {
        guard FileManager.default.fileExists(atPath: state) else { return nil }
        return try JournalStore(path: state)
    }
}

/// Runs a command body, turning journal and database errors into a one-line message and an exit code:
/// 2 for a `--state` that cannot be opened as a journal, 70 for anything else unexpected.
func withJournalErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as JournalError where error.code == .cannotOpen {
        printError(error.message)
        throw RolloutExit.invalidInput
    } catch {
        printError("\(error)")
        throw RolloutExit.internalError
    }
}
