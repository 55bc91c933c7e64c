import Foundation
import RolloutJSON

/// What the engine knows when a rollout begins; written by ``JournalStore/beginRollout(_:)``.
public struct RolloutStart: Sendable, Hashable {
    public var inventory: String
    public var playbook: String
    /// The version being deployed.
    public var version: String
    /// The version the inventory was on before (nil for a first deployment).
    public var previousVersion: String?
    /// A one-line summary of the strategy, e.g. `canary 1, batches of 5, max 10% failed`.
    public var strategy: String?
    /// Who started it and from where.
    public var startedBy: ControllerIdentity
    /// The full plan, if the engine wants it kept (resume can rebuild from it).
    public var plan: JSONValue?
    public var startedAt: Date

    public init(
        inventory: String, playbook: String, version: String, previousVersion: String? = nil,
        strategy: String? = nil, startedBy: ControllerIdentity, plan: JSONValue? = nil, startedAt: Date = Date()
    ) {
        self.inventory = inventory
        self.playbook = playbook
        self.version = version
        self.previousVersion = previousVersion
        self.strategy = strategy
        self.startedBy = startedBy
        self.plan = plan
        self.startedAt = startedAt
    }
}
