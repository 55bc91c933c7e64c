/// A journal failure with a stable ``code`` and a message that says what to do.
///
/// Backend errors that are not about the journal's content are not wrapped either (a PostgreSQL statement's
/// `PSQLError`), except that a PostgreSQL server that cannot be reached gives `unreachable`.
///
/// SQLite errors (disk full, a database locked for longer than the busy timeout) are not wrapped:
/// they surface as GRDB's `DatabaseError`, whose `resultCode` and message name the SQLite error.
public struct JournalError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A stable, machine-readable reason; new codes may be added.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The rollout id is not in the journal.
        public static let unknownRollout = Code(rawValue: "unknown_rollout")
        /// The host was never added to that rollout.
        public static let unknownHost = Code(rawValue: "unknown_host")
        /// No event with that id (closing a write-ahead event).
        public static let unknownEvent = Code(rawValue: "unknown_event")
        /// The phase id is not in the journal.
        public static let unknownPhase = Code(rawValue: "unknown_phase")
        /// The phase was already closed; a phase is finished exactly once.
        public static let phaseAlreadyFinished = Code(rawValue: "phase_already_finished")
        /// A host name appears twice in one rollout.
        public static let duplicateHost = Code(rawValue: "duplicate_host")
        /// A status that is not allowed here (e.g. finishing a rollout as `running`).
        public static let invalidStatus = Code(rawValue: "invalid_status")
        /// The caller no longer holds the inventory's lock (it expired and was taken over, or was released).
        public static let lockNotHeld = Code(rawValue: "lock_not_held")
        /// A stored value could not be read back (a timestamp or JSON column edited by hand).
        public static let corruptValue = Code(rawValue: "corrupt_value")
        /// The database file could not be opened or created.
        public static let cannotOpen = Code(rawValue: "cannot_open")
        /// `--state` is not a usable journal location (a malformed `postgres://` URL, an unreadable `.pgpass`).
        public static let invalidLocation = Code(rawValue: "invalid_location")
        /// `rollout state migrate`: the target holds other rows under the source's ids; nothing was copied.
        public static let conflictingRows = Code(rawValue: "conflicting_rows")
        /// The PostgreSQL journal cannot be reached or refused the login (after the retries a write gets).
        public static let unreachable = Code(rawValue: "unreachable")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension JournalError {
    static func unknownRollout(_ id: Int64) -> JournalError {
        JournalError(.unknownRollout, "rollout \(id) is not in the journal; `rollout history` lists the known ids")
    }

    static func unknownHost(_ host: String, _ rolloutID: Int64) -> JournalError {
        JournalError(.unknownHost, "host '\(host)' is not part of rollout \(rolloutID); add it with addHosts first")
    }

    static func unknownPhase(_ id: Int64) -> JournalError {
        JournalError(.unknownPhase, "phase \(id) is not in the journal")
    }

    static func phaseAlreadyFinished(_ id: Int64) -> JournalError {
        JournalError(.phaseAlreadyFinished, "phase \(id) was already finished; a phase is closed exactly once")
    }

    static func unknownEvent(_ id: Int64) -> JournalError {
        JournalError(.unknownEvent, "event \(id) is not in the journal")
    }

    static func duplicateHost(_ host: String, _ rolloutID: Int64) -> JournalError {
        JournalError(
            .duplicateHost, "host '\(host)' is listed twice in rollout \(rolloutID); host names must be unique")
    }

    static func lockNotHeld(_ inventory: String, holder: String?) -> JournalError {
        JournalError(
            .lockNotHeld,
            "the lock of \(inventory) is no longer ours (\(holder.map { "held by \($0)" } ?? "released")); "
                + "stop this rollout and check `rollout lock status`")
    }
}
