import GRDB
import RolloutJSON

/// What the journal says about versions: the rollback default and where each host stands.
enum VersionQueries {
    /// The conditions (after the inventory and `excluding` filters) and order that make a rollout of `r` "fully
    /// succeeded", shared by both backends.
    static let fullySucceeded = """
          AND r.status = 'succeeded'
          AND EXISTS (SELECT 1 FROM rollout_host h WHERE h.rollout_id = r.id)
          -- A config-only rollout labelled with its own version installed no release of that name.
          AND EXISTS (SELECT 1 FROM rollout_host h WHERE h.rollout_id = r.id AND h.to_version = r.version)
          AND NOT EXISTS (
              SELECT 1 FROM rollout_host h
              WHERE h.rollout_id = r.id AND h.status NOT IN ('succeeded', 'unchanged'))
        ORDER BY r.started_at DESC, r.id DESC
        LIMIT 1
        """

    /// Per host, the latest rollout of one inventory (`inventory`: the backend's placeholder) in which it ended
    /// somewhere known; shared by both backends.
    static func currentVersionsSQL(inventory: String) -> String {
        """
        SELECT name, version, rollout_id, updated_at FROM (
            SELECT h.name,
                   CASE WHEN h.status = 'rolled_back' THEN h.from_version ELSE h.to_version END AS version,
                   h.rollout_id, h.updated_at,
                   row_number() OVER (PARTITION BY h.name ORDER BY r.started_at DESC, r.id DESC) AS rank
            FROM rollout_host h JOIN rollout r ON r.id = h.rollout_id
            WHERE r.inventory = \(inventory)
              AND (h.status IN ('succeeded', 'unchanged')
                   OR (h.status = 'rolled_back' AND h.from_version IS NOT NULL))
        ) latest
        WHERE rank = 1
        ORDER BY name
        """
    }

    /// The version of the latest `succeeded` rollout of `inventory` in which every host is `succeeded`
    /// or `unchanged` (and there was at least one host, and one that ended on that version: a config-only
    /// rollout's label is not a release), skipping `excluding`.
    static func lastFullySucceededVersion(_ db: Database, inventories: [String], excluding: String?) throws -> String? {
        try String.fetchOne(
            db,
            sql: """
                SELECT r.version FROM rollout r
                WHERE r.inventory IN (SELECT value FROM json_each(:inventories))
                  AND (:excluding IS NULL OR r.version <> :excluding)
                \(fullySucceeded)
                """,
            arguments: [
                "inventories": try JSONValue.array(inventories.map(JSONValue.string)).compactText(),
                "excluding": excluding,
            ])
    }

    /// Per host of `inventory`, the latest rollout in which it ended somewhere known: `succeeded` or
    /// `unchanged` (on `to_version`), or `rolled_back` (on `from_version`, when that is known).
    /// Hosts whose latest journaled state is failed or unfinished fall back to their last known one.
    static func currentVersions(_ db: Database, inventory: String) throws -> [HostVersion] {
        try Row.fetchAll(
            db,
            sql: currentVersionsSQL(inventory: "?"),
            arguments: [inventory]
        ).map { row in
            let text: String = row["updated_at"]
            guard let at = JournalTime.date(from: text) else {
                throw JournalError(.corruptValue, "rollout_host.updated_at holds '\(text)', not a journal timestamp")
            }
            return HostVersion(host: row["name"], version: row["version"], rolloutID: row["rollout_id"], at: at)
        }
    }
}
