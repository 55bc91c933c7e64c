import RolloutCore
import RolloutStore

extension JournalJSON {
    /// The plan's JSON document as a journal value, converted node by node (formatting the plan of 10,000 hosts as
    /// text and parsing it back cost seconds and hundreds of megabytes).
    init(_ value: JSONValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .number(let number): self = .double(number)
        case .int(let integer): self = .int(Int64(integer))
        case .bool(let flag): self = .bool(flag)
        case .null: self = .null
        case .array(let items): self = .array(items.map(JournalJSON.init))
        case .object(let members): self = .object(members.mapValues(JournalJSON.init))
        }
    }
}
