import Foundation
import GRDB

/// A row of `rollout`: one rollout of one inventory.
struct RolloutRow: JournalRecord, Hashable {
    static let databaseTableName = "rollout"

    var id: Int64?
    var inventory: String
    var playbook: String
    var version: String
    var previousVersion: String?
    var strategy: String?
    var status: RolloutStatus
    var startedByUser: String
    var startedByHost: String
    var startedByPid: Int32
    var ciJob: String?
    /// JSON text.
    var plan: String?
    var startedAt: Date
    var finishedAt: Date?
    var exitCode: Int32?
    var error: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, inventory, playbook, version
        case previousVersion = "previous_version"
        case strategy, status
        case startedByUser = "started_by_user"
        case startedByHost = "started_by_host"
        case startedByPid = "started_by_pid"
        case ciJob = "ci_job"
        case plan
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case exitCode = "exit_code"
        case error
    }

    var startedBy: ControllerIdentity {
        ControllerIdentity(user: startedByUser, host: startedByHost, pid: startedByPid, ciJob: ciJob)
    }
}
