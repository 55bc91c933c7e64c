import ArgumentParser
import Foundation
import RolloutStore

// Options and output helpers shared by the journal commands (`history`, `show`, `lock`).
// Named apart from the project-wide OutputOptions/ExitCodes/TextTable/JSONOutput so the two can be
// merged without clashes; fold into those when they exist.

/// `--state` and `--output` of the commands that read the journal.
struct JournalOptions: ParsableArguments {
    @Option(name: .long, help: "The journal database (relative paths are from the current directory).")
    var state: String = ".rollout/state.db"

    @Option(name: .long, help: "Output format: text or json.")
    var output: StoreOutputFormat = .text

    /// The journal, or nil when the file does not exist (read-only commands never create it).
    func openExisting() throws -> JournalStore? {
        guard FileManager.default.fileExists(atPath: state) else { return nil }
        return try JournalStore(path: state)
    }
}

enum StoreOutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

/// The project's exit codes as the journal commands use them.
enum StoreExitCode {
    static let invalidInput = ExitCode(2)
    static let `internal` = ExitCode(70)
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
        throw StoreExitCode.invalidInput
    } catch {
        printError("\(error)")
        throw StoreExitCode.internal
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

/// Prints one JSON document: sorted keys, snake_case (from the types' coding keys), UTC timestamps
/// with milliseconds.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(JournalTime.string(from: date))
    }
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
