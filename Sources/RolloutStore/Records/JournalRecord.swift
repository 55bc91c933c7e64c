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
        guard let date = try journalDateIfPresent(atIndex: index) else {
            throw JournalError(.corruptValue, "a required time column (\(index)) is NULL")
        }
        return date
    }

    func journalDateIfPresent(atIndex index: Int) throws -> Date? {
        guard let text: String = try decode(atIndex: index) else { return nil }
        guard let date = JournalTime.date(from: text) else {
            throw JournalError(.corruptValue, "a time column holds '\(text)', not a journal timestamp")
        }
        return date
    }

    func journalStatus<Status: RawRepresentable>(atIndex index: Int) throws -> Status
    where Status.RawValue == String {
        let text: String = try decode(atIndex: index)
        guard let status = Status(rawValue: text) else {
            throw JournalError(
                .corruptValue, "a status column holds the unknown status '\(text)'; was it written by a newer rollout?")
        }
        return status
    }
}
