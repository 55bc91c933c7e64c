/// The journal's history tables as `rollout state migrate` copies them: every column, in foreign-key order (a row's
/// parents are copied before it). `inventory_lock` is not history and is not copied: a lock belongs to a running
/// controller and its journal, and a lock key differs between a SQLite and a PostgreSQL journal.
public struct JournalTable: Sendable, Hashable {
    public enum ColumnType: Sendable, Hashable {
        case integer, text
    }

    public let name: String
    /// `id` first.
    public let columns: [(name: String, type: ColumnType)]

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    static func table(_ name: String, _ columns: String) -> JournalTable {
        JournalTable(
            name: name,
            columns: columns.split(separator: " ").map { column in
                column.hasSuffix("#") ? (String(column.dropLast()), .integer) : (String(column), .text)
            })
    }

    /// `#` marks integer columns.
    public static let all: [JournalTable] = [
        table(
            "rollout",
            "id# inventory playbook version previous_version strategy status started_by_user started_by_host "
                + "started_by_pid# ci_job plan started_at finished_at exit_code# error"),
        table(
            "rollout_host",
            "id# rollout_id# position# batch# name address from_version to_version strategy status error updated_at"),
        table("phase", "id# rollout_id# host_id# name status started_at finished_at detail error"),
        table("event", "id# rollout_id# inventory kind message detail at"),
        table(
            "config_file",
            "id# rollout_id# host_id# path source sha256 size# mode previous_sha256 switched_at restored_at"),
    ]

    /// The column list for SQL.
    var columnList: String { columns.map(\.name).joined(separator: ", ") }
}

/// One column value of a copied row.
public enum JournalValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
}
