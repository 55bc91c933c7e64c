import Foundation
import RolloutJSON

/// Something that happened to a rollout or to an inventory's lock: a takeover, a canary promotion, an interrupt.
public struct JournalEvent: Sendable, Hashable, Encodable {
    public var id: Int64
    /// The rollout it belongs to; nil for lock events outside any rollout.
    public var rolloutID: Int64?
    public var inventory: String?
    public var kind: EventKind
    public var message: String
    public var detail: JSONValue?
    public var at: Date

    enum CodingKeys: String, CodingKey {
        case id
        case rolloutID = "rollout_id"
        case inventory, kind, message, detail, at
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeJournal(id, forKey: .id)
        try container.encodeJournal(rolloutID, forKey: .rolloutID)
        try container.encodeJournal(inventory, forKey: .inventory)
        try container.encodeJournal(kind, forKey: .kind)
        try container.encodeJournal(message, forKey: .message)
        try container.encodeJournal(detail, forKey: .detail)
        try container.encodeJournal(at, forKey: .at)
    }

    init(_ row: EventRow) throws {
        id = row.id ?? 0
        rolloutID = row.rolloutID
        inventory = row.inventory
        kind = EventKind(rawValue: row.kind)
        message = row.message
        detail = try JSONValue.fromColumn(row.detail)
        at = row.at
    }
}
