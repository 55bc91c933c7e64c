import Foundation
import GRDB
import RolloutJSON

extension SQLiteJournalStore {
    func beginRollout(_ start: RolloutStart) async throws -> Int64 {
        let plan = try JSONValue.columnText(start.plan)
        return try await journalWrite { db in
            let row = RolloutRow(
                id: nil, inventory: start.inventory, playbook: start.playbook, version: start.version,
                previousVersion: start.previousVersion, strategy: start.strategy, status: .running,
                startedByUser: start.startedBy.user, startedByHost: start.startedBy.host,
                startedByPid: start.startedBy.pid, ciJob: start.startedBy.ciJob, plan: plan,
                startedAt: start.startedAt, finishedAt: nil, exitCode: nil, error: nil)
            try row.insert(db)
            return db.lastInsertedRowID
        }
    }

    func addHosts(_ hosts: [HostEntry], to rolloutID: Int64, at date: Date = Date()) async throws {
        try await journalWrite { db in
            try Self.requireRollout(rolloutID, db)
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO rollout_host (rollout_id, position, batch, name, address, from_version, to_version,
                                              strategy, status, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            let now = JournalTime.string(from: date)
            for host in hosts {
                do {
                    try statement.execute(arguments: [
                        rolloutID, host.position, host.batch, host.name, host.address, host.fromVersion,
                        host.toVersion, host.strategy, HostStatus.pending.rawValue, now,
                    ])
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                    throw JournalError.duplicateHost(host.name, rolloutID)
                }
            }
        }
    }

    func setHostStatuses(_ updates: [HostStatusUpdate], in rolloutID: Int64, at date: Date = Date())
        async throws
    {
        try await journalWrite { db in
            let statement = try db.cachedStatement(
                sql: "UPDATE rollout_host SET status = ?, error = ?, updated_at = ? WHERE rollout_id = ? AND name = ?")
            let now = JournalTime.string(from: date)
            for update in updates {
                try statement.execute(arguments: [update.status.rawValue, update.error, now, rolloutID, update.host])
                if db.changesCount == 0 { throw JournalError.unknownHost(update.host, rolloutID) }
            }
        }
    }

    func finishRollout(
        _ id: Int64, status: RolloutStatus, exitCode: Int32, error: String? = nil, at date: Date = Date()
    ) async throws {
        try await journalWrite { db in
            try db.execute(
                sql: "UPDATE rollout SET status = ?, exit_code = ?, error = ?, finished_at = ? WHERE id = ?",
                arguments: [status.rawValue, exitCode, error, JournalTime.string(from: date), id])
            if db.changesCount == 0 { throw JournalError.unknownRollout(id) }
        }
    }

    func reopenRollout(_ id: Int64) async throws {
        try await journalWrite { db in
            try db.execute(
                sql: "UPDATE rollout SET status = ?, exit_code = NULL, error = NULL, finished_at = NULL WHERE id = ?",
                arguments: [RolloutStatus.running.rawValue, id])
            if db.changesCount == 0 { throw JournalError.unknownRollout(id) }
        }
    }

    @discardableResult
    func supersedeRollout(
        _ id: Int64, by newer: Int64, message: String, detail: [String: JSONValue] = [:], at date: Date = Date()
    ) async throws -> Bool {
        let oldDetail = try JSONValue.columnText(.object(["by": .int(newer)]))
        let newDetail = try JSONValue.columnText(.object(detail.merging(["rollout": .int(id)]) { $1 }))
        return try await journalWrite { db in
            try Self.requireRollout(newer, db)
            guard let row = try RolloutRow.fetchOne(db, key: id) else { throw JournalError.unknownRollout(id) }
            guard row.status.isResumable else { return false }
            let now = JournalTime.string(from: date)
            try db.execute(
                sql: "UPDATE rollout SET status = ?, error = ?, finished_at = coalesce(finished_at, ?) WHERE id = ?",
                arguments: [RolloutStatus.superseded.rawValue, "superseded by rollout \(newer)", now, id])
            for (rollout, kind, text) in [(id, EventKind.superseded, oldDetail), (newer, .supersedes, newDetail)] {
                try EventRow(
                    id: nil, rolloutID: rollout, inventory: row.inventory, kind: kind.rawValue, message: message,
                    detail: text, at: date
                ).insert(db)
            }
            return true
        }
    }

    static func requireRollout(_ id: Int64, _ db: Database) throws {
        guard try RolloutRow.exists(db, key: id) else { throw JournalError.unknownRollout(id) }
    }
}
