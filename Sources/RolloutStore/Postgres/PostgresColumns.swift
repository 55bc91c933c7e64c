import Foundation
import PostgresNIO

/// One PostgreSQL result row read by column index, with the journal's conversions (text timestamps and statuses,
/// `bigint` narrowed to the Swift types the records use).
struct PostgresColumns {
    let cells: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        cells = row.makeRandomAccess()
    }

    func value<T: PostgresDecodable>(_ index: Int, _: T.Type = T.self) throws -> T {
        try cells[index].decode(T.self)
    }

    func int32(_ index: Int) throws -> Int32 { Int32(truncatingIfNeeded: try value(index, Int64.self)) }

    func int32IfPresent(_ index: Int) throws -> Int32? {
        try value(index, Int64?.self).map { Int32(truncatingIfNeeded: $0) }
    }

    func date(_ index: Int) throws -> Date { try JournalColumn.date(try value(index, String?.self), index: index) }

    func dateIfPresent(_ index: Int) throws -> Date? { try JournalColumn.dateIfPresent(try value(index, String?.self)) }

    func status<Status: RawRepresentable>(_ index: Int) throws -> Status where Status.RawValue == String {
        try JournalColumn.status(try value(index, String.self))
    }
}

extension RolloutRow {
    /// The columns of `rollout` in ``init(_:includePlan:)``'s order, `plan` left out unless `includePlan`.
    static func selection(includePlan: Bool, prefix: String = "") -> String {
        CodingKeys.allCases.filter { includePlan || $0 != .plan }.map { prefix + $0.rawValue }.joined(separator: ", ")
    }

    init(_ row: PostgresColumns, includePlan: Bool) throws {
        let p = includePlan ? 1 : 0
        self.init(
            id: try row.value(0), inventory: try row.value(1), playbook: try row.value(2), version: try row.value(3),
            previousVersion: try row.value(4), strategy: try row.value(5), status: try row.status(6),
            startedByUser: try row.value(7), startedByHost: try row.value(8), startedByPid: try row.int32(9),
            ciJob: try row.value(10), plan: includePlan ? try row.value(11) : nil, startedAt: try row.date(11 + p),
            finishedAt: try row.dateIfPresent(12 + p), exitCode: try row.int32IfPresent(13 + p),
            error: try row.value(14 + p))
    }
}

extension HostRow {
    /// `selection`'s columns.
    init(_ row: PostgresColumns) throws {
        self.init(
            id: try row.value(0), rolloutID: try row.value(1), position: try row.value(2), batch: try row.value(3),
            name: try row.value(4), address: try row.value(5), fromVersion: try row.value(6),
            toVersion: try row.value(7), strategy: try row.value(8), status: try row.status(9),
            error: try row.value(10), updatedAt: try row.date(11))
    }
}

extension PhaseRow {
    /// `selection`'s columns.
    init(_ row: PostgresColumns) throws {
        self.init(
            id: try row.value(0), rolloutID: try row.value(1), hostID: try row.value(2), name: try row.value(3),
            status: try row.status(4), startedAt: try row.date(5), finishedAt: try row.dateIfPresent(6),
            detail: try row.value(7), error: try row.value(8))
    }
}

extension EventRow {
    static let selection = "id, rollout_id, inventory, kind, message, detail, at"

    init(_ row: PostgresColumns) throws {
        self.init(
            id: try row.value(0), rolloutID: try row.value(1), inventory: try row.value(2), kind: try row.value(3),
            message: try row.value(4), detail: try row.value(5), at: try row.date(6))
    }
}

extension LockRow {
    static let selection = """
        inventory, owner_user, owner_host, owner_pid, owner_ci_job, owner_token, owner_started, acquired_at, \
        heartbeat_at, expires_at, fence
        """

    init(_ row: PostgresColumns) throws {
        self.init(
            inventory: try row.value(0), ownerUser: try row.value(1), ownerHost: try row.value(2),
            ownerPid: try row.int32(3), ownerCIJob: try row.value(4), ownerToken: try row.value(5),
            ownerStarted: try row.value(6), acquiredAt: try row.date(7), heartbeatAt: try row.date(8),
            expiresAt: try row.date(9), fence: try row.value(10))
    }
}

extension ConfigFileRecord {
    /// `f.rollout_id, h.name, f.path, f.source, f.sha256, f.size, f.mode, f.previous_sha256, f.switched_at,
    /// f.restored_at` from `offset` on (``ConfigFileQuery/columns``).
    init(_ row: PostgresColumns, offset: Int) throws {
        self.init(
            rolloutID: try row.value(offset), host: try row.value(offset + 1),
            file: ConfigFileEntry(
                path: try row.value(offset + 2), source: try row.value(offset + 3),
                sha256: try row.value(offset + 4), size: try row.value(offset + 5), mode: try row.value(offset + 6),
                previousSHA256: try row.value(offset + 7)),
            switchedAt: try row.date(offset + 8), restoredAt: try row.dateIfPresent(offset + 9))
    }
}
