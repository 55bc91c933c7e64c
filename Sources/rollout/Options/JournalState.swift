import Foundation
import RolloutStore

/// `--state`, shared by every command that reads or writes the journal: a SQLite path or a `postgres://` URL,
/// default `$ROLLOUT_STATE`, else `.rollout/state.db`.
enum JournalState {
    static let defaultPath = ".rollout/state.db"

    static let help =
        "The journal: a SQLite file, or postgres://USER@HOST:PORT/DB (password from PGPASSWORD or ~/.pgpass). "
        + "Default: $ROLLOUT_STATE, else .rollout/state.db."

    /// The journal the command uses: `option`, else `ROLLOUT_STATE` (when not empty), else the default path.
    static func resolve(_ option: String?) -> String {
        if let option { return option }
        if let state = ProcessInfo.processInfo.environment["ROLLOUT_STATE"], !state.isEmpty { return state }
        return defaultPath
    }

    /// `state` for messages: a URL without its password.
    static func display(_ state: String) -> String {
        guard case .postgres = try? JournalLocation(state) else { return state }
        return (try? PostgresLocation(state, environment: [:]).description) ?? "postgres://..."
    }

    /// Opens (creating when needed) the journal.
    static func open(_ state: String) async throws -> JournalStore {
        try await JournalStore.open(state)
    }

    /// The journal, or nil when it is a SQLite file that does not exist (read-only commands never create one).
    static func openExisting(_ state: String) async throws -> JournalStore? {
        if try JournalLocation(state).isMissingFile { return nil }
        return try await JournalStore.open(state)
    }

    /// The directory beside a SQLite journal (for files a command writes next to it); `.rollout` for PostgreSQL.
    static func localDirectory(_ state: String) -> String {
        guard case .sqlite(let path) = try? JournalLocation(state) else { return ".rollout" }
        return (path as NSString).deletingLastPathComponent
    }

    /// The exit code and message for a journal that cannot be opened: 2 for a `--state` that is not a journal,
    /// 8 for a PostgreSQL server that cannot be reached; nil for other errors.
    static func exit(for error: any Error) -> (code: Int32, message: String)? {
        guard let error = error as? JournalError else { return nil }
        switch error.code {
        case .cannotOpen, .invalidLocation, .conflictingRows: return (RolloutExit.invalidInput.rawValue, error.message)
        case .unreachable: return (RolloutExit.journalUnreachable.rawValue, error.message)
        default: return nil
        }
    }
}
