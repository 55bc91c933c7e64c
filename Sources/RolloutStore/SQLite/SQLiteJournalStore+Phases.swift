import Foundation
import GRDB
import RolloutJSON

extension SQLiteJournalStore {

    func beginPhases(_ starts: [PhaseStart], in rolloutID: Int64, at date: Date = Date()) async throws
        -> [Int64]
    {
        let details = try starts.map { try JSONValue.columnText($0.detail) }
        return try await journalWrite { db in
            let findHost = try db.cachedStatement(sql: "SELECT id FROM rollout_host WHERE rollout_id = ? AND name = ?")
            let markRunning = try db.cachedStatement(
                sql: "UPDATE rollout_host SET status = 'running', updated_at = ? WHERE id = ? AND status = 'pending'")
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO phase (rollout_id, host_id, name, status, started_at, detail)
                    VALUES (?, ?, ?, 'running', ?, ?)
                    """)
            let now = JournalTime.string(from: date)
            var ids: [Int64] = []
            ids.reserveCapacity(starts.count)
            for (start, detail) in zip(starts, details) {
                guard let hostID = try Int64.fetchOne(findHost, arguments: [rolloutID, start.host]) else {
                    throw JournalError.unknownHost(start.host, rolloutID)
                }
                try markRunning.execute(arguments: [now, hostID])
                try insert.execute(arguments: [rolloutID, hostID, start.phase.rawValue, now, detail])
                ids.append(db.lastInsertedRowID)
            }
            return ids
        }
    }

    func finishPhases(_ finishes: [PhaseFinish], at date: Date = Date()) async throws {
        let details = try finishes.map { try JSONValue.columnText($0.detail) }
        try await journalWrite { db in try Self.finish(finishes, details: details, date: date, db) }
    }

    func finishPhaseQueued(
        _ finish: PhaseFinish, at date: Date, onError: @escaping @Sendable (any Error) -> Void
    ) throws {
        let finishes = [finish]
        let details = try finishes.map { try JSONValue.columnText($0.detail) }
        enqueueWrite({ db in try Self.finish(finishes, details: details, date: date, db) }) { result in
            if case .failure(let failure) = result { onError(failure) }
        }
    }

    private static func finish(_ finishes: [PhaseFinish], details: [String?], date: Date, _ db: Database) throws {
        let update = try db.cachedStatement(
            sql: """
                UPDATE phase SET status = ?, error = ?, detail = coalesce(?, detail), finished_at = ?
                WHERE id = ? AND status = 'running'
                """)
        let now = JournalTime.string(from: date)
        for (finish, detail) in zip(finishes, details) {
            try update.execute(arguments: [
                PhaseStatus(finish.outcome).rawValue, finish.error, detail, now, finish.phaseID,
            ])
            if db.changesCount == 0 {
                guard try PhaseRow.exists(db, key: finish.phaseID) else {
                    throw JournalError.unknownPhase(finish.phaseID)
                }
                throw JournalError.phaseAlreadyFinished(finish.phaseID)
            }
        }
    }
}
