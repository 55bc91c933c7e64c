import Foundation
import PostgresNIO
import RolloutJSON

extension PostgresJournalStore {
    func beginRollout(_ start: RolloutStart) async throws -> Int64 {
        let plan = try JSONValue.columnText(start.plan)
        let startedAt = JournalTime.string(from: start.startedAt)
        let by = start.startedBy
        return try await journalWrite { connection in
            try await connection.run(
                """
                INSERT INTO rollout (inventory, playbook, version, previous_version, strategy, status, started_by_user,
                                     started_by_host, started_by_pid, ci_job, plan, started_at)
                VALUES (\(start.inventory), \(start.playbook), \(start.version), \(start.previousVersion),
                        \(start.strategy), \(RolloutStatus.running.rawValue), \(by.user), \(by.host), \(Int64(by.pid)),
                        \(by.ciJob), \(plan), \(startedAt))
                RETURNING id
                """
            )[0].decode(Int64.self)
        }
    }

    /// One statement for all the hosts (a JSON array expanded server-side): 10,000 hosts cost one round trip.
    func addHosts(_ hosts: [HostEntry], to rolloutID: Int64, at date: Date) async throws {
        let now = JournalTime.string(from: date)
        let rows = try JSONValue.array(
            hosts.map { host in
                .object([
                    "position": .int(Int64(host.position)), "batch": .int(Int64(host.batch)),
                    "name": .string(host.name),
                    "address": host.address.map(JSONValue.string) ?? .null,
                    "from_version": host.fromVersion.map(JSONValue.string) ?? .null,
                    "to_version": .string(host.toVersion), "strategy": host.strategy.map(JSONValue.string) ?? .null,
                ])
            }
        ).compactText()
        try await journalWrite { connection in
            try await Self.requireRollout(rolloutID, connection)
            var seen = Set<String>()
            for host in hosts where !seen.insert(host.name).inserted {
                throw JournalError.duplicateHost(host.name, rolloutID)
            }
            let existing = try await connection.run(
                """
                SELECT name FROM rollout_host WHERE rollout_id = \(rolloutID) AND name = ANY(\(hosts.map(\.name)))
                ORDER BY name LIMIT 1
                """)
            if let row = existing.first { throw JournalError.duplicateHost(try row.decode(String.self), rolloutID) }
            try await connection.run(
                """
                INSERT INTO rollout_host (rollout_id, position, batch, name, address, from_version, to_version,
                                          strategy, status, updated_at)
                SELECT \(rolloutID), h.position, h.batch, h.name, h.address, h.from_version, h.to_version,
                       h.strategy, \(HostStatus.pending.rawValue), \(now)
                FROM json_to_recordset(\(rows)::json)
                     AS h(position bigint, batch bigint, name text, address text, from_version text,
                          to_version text, strategy text)
                ORDER BY h.position
                """)
        }
    }

    /// One statement for all of `updates` (the last update of a host wins, as when applied one by one).
    func setHostStatuses(_ updates: [HostStatusUpdate], in rolloutID: Int64, at date: Date) async throws {
        var latest: [String: HostStatusUpdate] = [:]
        for update in updates { latest[update.host] = update }
        let rows = try JSONValue.array(
            latest.values.map { update in
                .object([
                    "host": .string(update.host), "status": .string(update.status.rawValue),
                    "error": update.error.map(JSONValue.string) ?? .null,
                ])
            }
        ).compactText()
        let now = JournalTime.string(from: date)
        try await journalWrite { connection in
            let changed = Set(
                try await connection.run(
                    """
                    WITH u AS (SELECT * FROM json_to_recordset(\(rows)::json) AS u(host text, status text, error text))
                    UPDATE rollout_host h SET status = u.status, error = u.error, updated_at = \(now)
                    FROM u WHERE h.rollout_id = \(rolloutID) AND h.name = u.host
                    RETURNING h.name
                    """
                ).map { try $0.decode(String.self) })
            if let missing = updates.first(where: { !changed.contains($0.host) }) {
                throw JournalError.unknownHost(missing.host, rolloutID)
            }
        }
    }

    func finishRollout(_ id: Int64, status: RolloutStatus, exitCode: Int32, error: String?, at date: Date)
        async throws
    {
        let now = JournalTime.string(from: date)
        try await journalWrite { connection in
            let changed = try await connection.run(
                """
                UPDATE rollout SET status = \(status.rawValue), exit_code = \(Int64(exitCode)), error = \(error),
                       finished_at = \(now)
                WHERE id = \(id) RETURNING id
                """)
            if changed.isEmpty { throw JournalError.unknownRollout(id) }
        }
    }

    func reopenRollout(_ id: Int64) async throws {
        try await journalWrite { connection in
            let changed = try await connection.run(
                """
                UPDATE rollout SET status = \(RolloutStatus.running.rawValue), exit_code = NULL, error = NULL,
                       finished_at = NULL
                WHERE id = \(id) RETURNING id
                """)
            if changed.isEmpty { throw JournalError.unknownRollout(id) }
        }
    }

    func supersedeRollout(
        _ id: Int64, by newer: Int64, message: String, detail: [String: JSONValue], at date: Date
    ) async throws -> Bool {
        let oldDetail = try JSONValue.columnText(.object(["by": .int(newer)]))
        let newDetail = try JSONValue.columnText(.object(detail.merging(["rollout": .int(id)]) { $1 }))
        let now = JournalTime.string(from: date)
        return try await journalWrite { connection in
            try await Self.requireRollout(newer, connection)
            let rows = try await connection.run("SELECT inventory, status FROM rollout WHERE id = \(id) FOR UPDATE")
            guard let row = rows.first.map(PostgresColumns.init) else { throw JournalError.unknownRollout(id) }
            let inventory: String = try row.value(0)
            let status: RolloutStatus = try row.status(1)
            guard status.isResumable else { return false }
            try await connection.run(
                """
                UPDATE rollout SET status = \(RolloutStatus.superseded.rawValue), error = \("superseded by rollout \(newer)"),
                       finished_at = coalesce(finished_at, \(now))
                WHERE id = \(id)
                """)
            for (rollout, kind, text) in [(id, EventKind.superseded, oldDetail), (newer, .supersedes, newDetail)] {
                _ = try await Self.insertEvent(
                    kind, message: message, rolloutID: rollout, inventory: inventory, detail: text, at: now, connection)
            }
            return true
        }
    }

    static func requireRollout(_ id: Int64, _ connection: PostgresConnection) async throws {
        if try await connection.run("SELECT 1 FROM rollout WHERE id = \(id)").isEmpty {
            throw JournalError.unknownRollout(id)
        }
    }

    static func hostID(_ host: String, _ rolloutID: Int64, _ connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.run(
            "SELECT id FROM rollout_host WHERE rollout_id = \(rolloutID) AND name = \(host)")
        guard let row = rows.first else { throw JournalError.unknownHost(host, rolloutID) }
        return try row.decode(Int64.self)
    }
}
