import Foundation

/// Where `--state` (or `ROLLOUT_STATE`) points: a SQLite file or a PostgreSQL database.
public enum JournalLocation: Sendable, Hashable {
    /// A file path (relative to the current directory); the file is created when missing.
    case sqlite(String)
    /// A `postgres://` or `postgresql://` URL, as given (``PostgresLocation`` parses it).
    case postgres(String)

    /// Tells the two apart by the scheme: anything that starts with `postgres://` or `postgresql://` is a database
    /// URL, everything else a path. A path that merely looks like a URL of another scheme is refused, so that a typo
    /// (`postgress://`, `pg://`) does not silently create a SQLite file named after it.
    ///
    /// - Throws: ``JournalError`` `invalid_location` for an empty value or an unknown `scheme://`.
    public init(_ state: String) throws {
        let lowered = state.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(state)
            return
        }
        guard !state.isEmpty else { throw JournalError(.invalidLocation, "--state is empty; give a path or a URL") }
        if let range = state.range(of: "://"), !state[..<range.lowerBound].contains("/") {
            throw JournalError(
                .invalidLocation,
                "--state \(state.prefix(upTo: range.lowerBound))://...: unknown scheme; a journal is a file path "
                    + "or postgres://user@host:port/database")
        }
        self = .sqlite(state)
    }

    /// True for a SQLite journal whose file does not exist yet (read-only commands print "no rollouts" instead of
    /// creating it).
    public var isMissingFile: Bool {
        guard case .sqlite(let path) = self else { return false }
        return !FileManager.default.fileExists(atPath: path)
    }
}
