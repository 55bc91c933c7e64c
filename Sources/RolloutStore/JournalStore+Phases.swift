import Foundation
import GRDB
import RolloutJSON
import RolloutModel

extension JournalStore {
    /// Write-ahead: journals that `phase` is about to run on `host` (status `running`) and returns the
    /// phase id to close with ``finishPhase(_:outcome:error:detail:at:)``. A `pending` host becomes `running`.
    ///
    /// - Throws: ``JournalError`` `unknown_host` when the host was not added to the rollout.
    public func beginPhase(
        _ phase: Phase, host: String, in rolloutID: Int64, detail: JSONValue? = nil, at date: Date = Date()
    ) async throws -> Int64 {
        try await beginPhases([PhaseStart(host: host, phase: phase, detail: detail)], in: rolloutID, at: date)[0]
    }

    /// Begins several phases (one per host of a batch) in one transaction; ids in the order given.
    public func beginPhases(_ starts: [PhaseStart], in rolloutID: Int64, at date: Date = Date()) async throws
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
                    throw Self.unknownHost(start.host, rolloutID)
                }
                try markRunning.execute(arguments: [now, hostID])
                try insert.execute(arguments: [rolloutID, hostID, start.phase.rawValue, now, detail])
                ids.append(db.lastInsertedRowID)
            }
            return ids
        }
    }

    /// Closes a running phase with its outcome; `detail`, when given, replaces the one written at the start.
    ///
    /// - Throws: ``JournalError`` `unknown_phase`, or `phase_already_finished` (a phase closes once).
    public func finishPhase(
        _ phaseID: Int64, outcome: PhaseOutcome, error: String? = nil, detail: JSONValue? = nil,
        at date: Date = Date()
    ) async throws {
        try await finishPhases(
            [PhaseFinish(phaseID: phaseID, outcome: outcome, error: error, detail: detail)], at: date)
    }

    /// Closes several phases in one transaction; if any cannot be closed, none is.
    public func finishPhases(_ finishes: [PhaseFinish], at date: Date = Date()) async throws {
        let details = try finishes.map { try JSONValue.columnText($0.detail) }
        try await journalWrite { db in try Self.finish(finishes, details: details, date: date, db) }
    }

    /// Closes a running phase like ``finishPhase(_:outcome:error:detail:at:)`` but returns once the write is queued:
    /// it commits in the same transaction as the journal's next write or before it, so a caller that awaits its
    /// next write (the next phase's ``beginPhase(_:host:in:detail:at:)``) knows this one is durable too — one commit
    /// wait per step instead of two. `onError` hears of a close that could not be written.
    public func finishPhaseQueued(
        _ phaseID: Int64, outcome: PhaseOutcome, error: String? = nil, detail: JSONValue? = nil,
        at date: Date = Date(), onError: @escaping @Sendable (any Error) -> Void
    ) throws {
        let finishes = [PhaseFinish(phaseID: phaseID, outcome: outcome, error: error, detail: detail)]
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
                    throw JournalError(.unknownPhase, "phase \(finish.phaseID) is not in the journal")
                }
                throw JournalError(
                    .phaseAlreadyFinished,
                    "phase \(finish.phaseID) was already finished; a phase is closed exactly once")
            }
        }
    }
}
