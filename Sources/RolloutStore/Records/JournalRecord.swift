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
