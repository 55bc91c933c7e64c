/// One host of a rollout's plan, added by ``JournalStore/addHosts(_:to:at:)`` with status `pending`.
public struct HostEntry: Sendable, Hashable {
    /// The host's name in the inventory; unique within a rollout.
    public var name: String
    /// Where it is reached (`10.0.0.5:22`), for the record.
    public var address: String?
    /// Its place in the plan's order, 0-based.
    public var position: Int
    /// The batch it belongs to, 0-based (the canary batch is 0 when there is one).
    public var batch: Int
    /// The version it runs before the rollout, when known.
    public var fromVersion: String?
    public var toVersion: String
    /// How it is switched over (`hot`, `cold`, `drain`, ...).
    public var strategy: String?

    public init(
        name: String, address: String? = nil, position: Int, batch: Int, fromVersion: String? = nil,
        toVersion: String, strategy: String? = nil
    ) {
        self.name = name
        self.address = address
        self.position = position
        self.batch = batch
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.strategy = strategy
    }
}
