import Foundation

/// Something that happened to a rollout or to an inventory's lock: a takeover, a canary promotion, an interrupt.
public struct JournalEvent: Sendable, Hashable, Encodable {
    public var id: Int64
    /// The rollout it belongs to; nil for lock events outside any rollout.
    public var rolloutID: Int64?
    public var inventory: String?
    public var kind: EventKind
    public var message: String
    public var detail: JournalJSON?
    public var at: Date

    enum CodingKeys: String, CodingKey {
        case id
        case rolloutID = "rollout_id"
        case inventory, kind, message, detail, at
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(rolloutID, forKey: .rolloutID)
        try container.encode(inventory, forKey: .inventory)
        try container.encode(kind, forKey: .kind)
        try container.encode(message, forKey: .message)
        try container.encode(detail, forKey: .detail)
        try container.encode(at, forKey: .at)
    }

    init(_ row: EventRow) throws {
        id = row.id ?? 0
        rolloutID = row.rolloutID
        inventory = row.inventory
        kind = EventKind(row.kind)
        message = row.message
        detail = try JournalJSON.fromColumn(row.detail)
        at = row.at
    }
}
