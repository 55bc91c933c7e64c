import Foundation
import PostgresNIO
import RolloutJSON

extension PostgresJournalStore {
    /// One statement for the whole batch (a JSON array expanded server-side), whatever its size.
    func beginPhases(_ starts: [PhaseStart], in rolloutID: Int64, at date: Date) async throws -> [Int64] {
        let rows = try JSONValue.array(
            try starts.enumerated().map { index, start in
                .object([
                    "ord": .int(Int64(index)), "host": .string(start.host), "phase": .string(start.phase.rawValue),
                    "detail": try JSONValue.columnText(start.detail).map(JSONValue.string) ?? .null,
                ])
            }
        ).compactText()
        let now = JournalTime.string(from: date)
        return try await journalWrite { connection in
            // Identity values are drawn in insertion order, which ORDER BY s.ord fixes: sorted ids are in `starts`'
            // order.
            let ids = try await connection.run(
                """
                WITH s AS (
                    SELECT * FROM json_to_recordset(\(rows)::json) AS s(ord bigint, host text, phase text, detail text)
                ),
                h AS (
                    SELECT s.ord, s.phase, s.detail, rh.id AS host_id
                    FROM s JOIN rollout_host rh ON rh.rollout_id = \(rolloutID) AND rh.name = s.host
                ),
                running AS (
                    UPDATE rollout_host SET status = 'running', updated_at = \(now)
                    WHERE id IN (SELECT host_id FROM h) AND status = 'pending'
                )
                INSERT INTO phase (rollout_id, host_id, name, status, started_at, detail)
                SELECT \(rolloutID), host_id, phase, 'running', \(now), detail FROM h ORDER BY ord
                RETURNING id
                """
            ).map { try $0.decode(Int64.self) }.sorted()
            if ids.count != starts.count {
                let known = Set(
                    try await connection.run(
                        "SELECT name FROM rollout_host WHERE rollout_id = \(rolloutID) AND name = ANY(\(starts.map(\.host)))"
                    ).map { try $0.decode(String.self) })
                let missing = starts.first { !known.contains($0.host) }?.host ?? ""
                throw JournalError.unknownHost(missing, rolloutID)
            }
            return ids
        }
    }

    func finishPhases(_ finishes: [PhaseFinish], at date: Date) async throws {
        let details = try finishes.map { try JSONValue.columnText($0.detail) }
        try await journalWrite { connection in try await Self.finish(finishes, details: details, date: date, connection)
        }
    }

    func finishPhaseQueued(_ finish: PhaseFinish, at date: Date, onError: @escaping @Sendable (any Error) -> Void)
        throws
    {
        let details = [try JSONValue.columnText(finish.detail)]
        writes.enqueue({ connection in try await Self.finish([finish], details: details, date: date, connection) }) {
            result in
            if case .failure(let failure) = result { onError(failure) }
        }
    }

    /// One statement for all of `finishes`; when fewer rows changed than asked, the first that could not be closed
    /// names the error (and the transaction's savepoint undoes the others).
    private static func finish(
        _ finishes: [PhaseFinish], details: [String?], date: Date, _ connection: PostgresConnection
    ) async throws {
        let rows = try JSONValue.array(
            zip(finishes, details).map { finish, detail in
                .object([
                    "id": .int(finish.phaseID), "status": .string(PhaseStatus(finish.outcome).rawValue),
                    "error": finish.error.map(JSONValue.string) ?? .null,
                    "detail": detail.map(JSONValue.string) ?? .null,
                ])
            }
        ).compactText()
        let now = JournalTime.string(from: date)
        let closed = try await connection.run(
            """
            WITH f AS (SELECT * FROM json_to_recordset(\(rows)::json) AS f(id bigint, status text, error text, detail text))
            UPDATE phase p SET status = f.status, error = f.error, detail = coalesce(f.detail, p.detail),
                   finished_at = \(now)
            FROM f WHERE p.id = f.id AND p.status = 'running'
            RETURNING p.id
            """
        ).map { try $0.decode(Int64.self) }
        guard closed.count != finishes.count else { return }
        var unclaimed = Set(closed)
        let existing = Set(
            try await connection.run("SELECT id FROM phase WHERE id = ANY(\(finishes.map(\.phaseID)))").map {
                try $0.decode(Int64.self)
            })
        for finish in finishes where unclaimed.remove(finish.phaseID) == nil {
            guard existing.contains(finish.phaseID) else { throw JournalError.unknownPhase(finish.phaseID) }
            throw JournalError.phaseAlreadyFinished(finish.phaseID)
        }
    }
}
