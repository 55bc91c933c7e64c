import Foundation
import GRDB

extension SQLiteJournalStore {
    func exportRows(_ table: JournalTable) async throws -> [[JournalValue]] {
        try await pool.read { db in
            var rows: [[JournalValue]] = []
            let cursor = try Row.fetchCursor(db, sql: "SELECT \(table.columnList) FROM \(table.name) ORDER BY id")
            while let row = try cursor.next() {
                rows.append(
                    (0..<table.columns.count).map { index in
                        switch row[index] as DatabaseValue {
                        case let value where value.isNull: .null
                        case let value:
                            switch value.storage {
                            case .int64(let number): .integer(number)
                            case .string(let text): .text(text)
                            case .double(let number): .text(String(number))
                            case .blob(let data): .text(String(decoding: data, as: UTF8.self))
                            case .null: .null
                            }
                        }
                    })
            }
            return rows
        }
    }

    /// Explicit ids larger than any before also move `sqlite_sequence` (AUTOINCREMENT), so new ids follow them.
    func importRows(_ tables: [(JournalTable, [[JournalValue]])]) async throws {
        try await journalWrite { db in
            for (table, rows) in tables where !rows.isEmpty {
                let marks = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
                let insert = try db.makeStatement(
                    sql: "INSERT INTO \(table.name) (\(table.columnList)) VALUES (\(marks))")
                for row in rows {
                    try insert.execute(
                        arguments: StatementArguments(
                            row.map { value -> (any DatabaseValueConvertible)? in
                                switch value {
                                case .null: nil
                                case .integer(let number): number
                                case .text(let text): text
                                }
                            }))
                }
            }
        }
    }
}
