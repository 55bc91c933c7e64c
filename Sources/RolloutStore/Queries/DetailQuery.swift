import GRDB
import RolloutJSON

/// `rollout show`: one rollout with every host, phase and configuration file, in five statements whatever the
/// host count.
enum DetailQuery {
    /// Without `includeJSON` the plan column (megabytes for 10,000 hosts) is not read and the phases' `detail`
    /// JSON is not parsed (a text report shows neither).
    static func fetch(_ db: Database, id: Int64, includeJSON: Bool = true) throws -> RolloutDetail? {
        let columns =
            includeJSON
            ? "*" : RolloutRow.CodingKeys.allCases.filter { $0 != .plan }.map(\.rawValue).joined(separator: ", ")
        guard
            let rollout = try RolloutRow.fetchOne(
                db, sql: "SELECT \(columns) FROM rollout WHERE id = ?", arguments: [id])
        else { return nil }
        let hostRows = try HostRow.fetchAll(
            db, sql: "SELECT \(HostRow.selection) FROM rollout_host WHERE rollout_id = ? ORDER BY position, id",
            arguments: [id])
        // A cursor: 50,000 phase rows are decoded one at a time instead of being copied first.
        let phaseRows = try PhaseRow.fetchCursor(
            db, sql: "SELECT \(PhaseRow.selection) FROM phase WHERE rollout_id = ? ORDER BY host_id, id",
            arguments: [id])
        var phasesByHost: [Int64: [PhaseEntry]] = [:]
        phasesByHost.reserveCapacity(hostRows.count)
        while let row = try phaseRows.next() {
            phasesByHost[row.hostID, default: []].append(try PhaseEntry(row, parsingDetail: includeJSON))
        }
        let filesByHost = try ConfigFileQuery.byHost(db, rolloutID: id)
        let hosts = hostRows.map {
            HostDetail($0, phases: phasesByHost[$0.id ?? 0] ?? [], files: filesByHost[$0.id ?? 0] ?? [])
        }
        let events = try EventRow.fetchAll(
            db, sql: "SELECT * FROM event WHERE rollout_id = ? ORDER BY id", arguments: [id]
        ).map(JournalEvent.init)
        return RolloutDetail(
            summary: RolloutSummary(rollout, counts: counts(hosts)),
            plan: try JSONValue.fromColumn(rollout.plan), hosts: hosts, events: events)
    }

    static func counts(_ hosts: [HostDetail]) -> HostCounts {
        var counts = HostCounts(total: hosts.count)
        for host in hosts {
            switch host.status {
            case .succeeded, .unchanged: counts.ok += 1
            case .failed: counts.failed += 1
            case .rolledBack: counts.rolledBack += 1
            case .running: counts.running += 1
            case .pending: counts.pending += 1
            case .skipped: counts.skipped += 1
            }
        }
        return counts
    }
}
