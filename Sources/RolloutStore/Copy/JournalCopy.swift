import Foundation

/// `rollout state migrate`: copies every history row of one journal into another (SQLite to PostgreSQL or back),
/// keeping ids, so that `rollout show ID` prints the same document from either.
///
/// Idempotent and safe to repeat: a row already in the target with the same id and the same values is skipped; a
/// row with the same id and different values (another journal's history, or a rollout that went on in the source
/// after an earlier copy) stops the copy before anything is written, naming the table and id. Everything that is
/// copied is written in one transaction of the target.
public enum JournalCopy {
    /// Per table: rows found in the source, rows written, rows already in the target.
    public struct TableCount: Sendable, Hashable, Encodable {
        public var table: String
        public var source: Int
        public var copied: Int
        public var present: Int
    }

    public static func copy(from source: JournalStore, to target: JournalStore) async throws -> [TableCount] {
        var counts: [TableCount] = []
        var pending: [(JournalTable, [[JournalValue]])] = []
        for table in JournalTable.all {
            let rows = try await source.backend.exportRows(table)
            var existing: [JournalValue: [JournalValue]] = [:]
            for row in try await target.backend.exportRows(table) { existing[row[0]] = row }
            var missing: [[JournalValue]] = []
            for row in rows {
                guard let present = existing[row[0]] else {
                    missing.append(row)
                    continue
                }
                if present != row {
                    throw JournalError(
                        .conflictingRows,
                        "\(target.location) already has \(table.name) \(describe(row[0])) with other values than "
                            + "\(source.location): it holds another journal's history (or the rollout went on after "
                            + "an earlier copy); nothing was copied")
                }
            }
            counts.append(
                TableCount(
                    table: table.name, source: rows.count, copied: missing.count, present: rows.count - missing.count))
            pending.append((table, missing))
        }
        try await target.backend.importRows(pending)
        return counts
    }

    private static func describe(_ value: JournalValue) -> String {
        switch value {
        case .integer(let id): "id \(id)"
        case .text(let text): "id \(text)"
        case .null: "id NULL"
        }
    }
}
