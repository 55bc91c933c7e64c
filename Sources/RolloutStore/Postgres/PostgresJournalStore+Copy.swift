import Foundation
import PostgresNIO
import RolloutJSON

extension PostgresJournalStore {
    func exportRows(_ table: JournalTable) async throws -> [[JournalValue]] {
        try await read { connection in
            try await connection.run("SELECT \(unescaped: table.columnList) FROM \(unescaped: table.name) ORDER BY id")
                .map { row in
                    let columns = PostgresColumns(row)
                    return try table.columns.indices.map { index in
                        switch table.columns[index].type {
                        case .integer: try columns.value(index, Int64?.self).map(JournalValue.integer) ?? .null
                        case .text: try columns.value(index, String?.self).map(JournalValue.text) ?? .null
                        }
                    }
                }
        }
    }

    /// A thousand rows per statement (a JSON array expanded server-side); then each identity sequence is set past
    /// the table's highest id.
    func importRows(_ tables: [(JournalTable, [[JournalValue]])]) async throws {
        var statements: [String] = []
        for (table, rows) in tables {
            for chunk in stride(from: 0, to: rows.count, by: 1000) {
                let objects = rows[chunk..<min(chunk + 1000, rows.count)].map { row in
                    JSONValue.object(
                        Dictionary(
                            uniqueKeysWithValues: zip(table.columns, row).map { column, value in
                                switch value {
                                case .null: (column.name, JSONValue.null)
                                case .integer(let number): (column.name, .int(number))
                                case .text(let text): (column.name, .string(text))
                                }
                            }))
                }
                statements.append(try JSONValue.array(Array(objects)).compactText())
            }
        }
        let chunks = statements
        try await journalWrite { connection in
            var index = 0
            for (table, rows) in tables {
                let types = table.columns.map { "\($0.name) \($0.type == .integer ? "bigint" : "text")" }
                    .joined(separator: ", ")
                for _ in stride(from: 0, to: rows.count, by: 1000) {
                    try await connection.run(
                        """
                        INSERT INTO \(unescaped: table.name) (\(unescaped: table.columnList))
                        SELECT \(unescaped: table.columnList) FROM json_to_recordset(\(chunks[index])::json)
                            AS r(\(unescaped: types))
                        ORDER BY id
                        """)
                    index += 1
                }
                try await connection.run(
                    """
                    SELECT setval(pg_get_serial_sequence(\(table.name), 'id'),
                                  coalesce((SELECT max(id) FROM \(unescaped: table.name)), 0) + 1, false)
                    """)
            }
        }
    }
}
