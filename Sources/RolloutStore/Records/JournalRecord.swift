import Foundation
import GRDB

/// The GRDB conventions every table row of the journal shares: Codable with snake_case `CodingKeys`,
/// and dates in the journal's text form (``JournalTime``) rather than GRDB's default.
protocol JournalRecord: Codable, FetchableRecord, PersistableRecord, Sendable {}

extension JournalRecord {
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .custom { JournalTime.string(from: $0) }
    }

    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .custom { value in String.fromDatabaseValue(value).flatMap(JournalTime.date(from:)) }
    }
}

// Hand-written decoding for the rows `rollout show` reads by the tens of thousands: GRDB's Decodable
// path, and even column lookup by name, cost several times more per row than reading by index.
// Records that use it declare `selection`, the column list their queries must select in that order.
extension Row {
    func journalDate(atIndex index: Int) throws -> Date {
        try JournalColumn.date(try decode(atIndex: index), index: index)
    }

    func journalDateIfPresent(atIndex index: Int) throws -> Date? {
        try JournalColumn.dateIfPresent(try decode(atIndex: index))
    }

    func journalStatus<Status: RawRepresentable>(atIndex index: Int) throws -> Status
    where Status.RawValue == String {
        try JournalColumn.status(try decode(atIndex: index))
    }
}

/// Reading the journal's text columns back, the same way in both backends.
enum JournalColumn {
    static func date(_ text: String?, index: Int) throws -> Date {
        guard let date = try dateIfPresent(text) else {
            throw JournalError(.corruptValue, "a required time column (\(index)) is NULL")
        }
        return date
    }

    static func dateIfPresent(_ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let date = JournalTime.date(from: text) else {
            throw JournalError(.corruptValue, "a time column holds '\(text)', not a journal timestamp")
        }
        return date
    }

    static func status<Status: RawRepresentable>(_ text: String) throws -> Status where Status.RawValue == String {
        guard let status = Status(rawValue: text) else {
            throw JournalError(
                .corruptValue, "a status column holds the unknown status '\(text)'; was it written by a newer rollout?")
        }
        return status
    }
}
