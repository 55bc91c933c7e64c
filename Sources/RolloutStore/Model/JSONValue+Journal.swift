import Foundation
import RolloutJSON

extension JSONValue {
    /// Encodes an optional detail for its column (compact text), nil staying SQL NULL.
    static func columnText(_ value: JSONValue?) throws -> String? {
        do {
            return try value?.compactText()
        } catch {
            throw JournalError(.corruptValue, "\(error); store a finite number")
        }
    }

    /// Decodes an optional column back.
    static func fromColumn(_ text: String?) throws -> JSONValue? {
        guard let text else { return nil }
        do {
            return try JSONValue(parsing: text)
        } catch {
            throw JournalError(.corruptValue, "a detail column holds invalid JSON (\(error)); restore it from a backup")
        }
    }
}

extension JSONWriter {
    /// A member of a journal document, written as `null` when absent (`rollout show`'s members are always present).
    func field(_ key: StaticString, _ value: String?) {
        self.key(literal: key)
        if let value { string(value) } else { null() }
    }

    func field(_ key: StaticString, _ value: Int?) {
        self.key(literal: key)
        if let value { int(value) } else { null() }
    }

    func field(_ key: StaticString, _ value: Int64?) { field(key, value.map(Int.init)) }

    /// A time as journal text (``JournalTime``).
    func field(_ key: StaticString, _ value: Date?) { field(key, value.map(JournalTime.string(from:))) }

    /// A duration in milliseconds.
    func field(_ key: StaticString, _ value: Duration?) { field(key, JournalDuration.milliseconds(value)) }

    /// A JSON value member, `null` when absent.
    func field(_ key: StaticString, json value: JSONValue?) {
        self.key(literal: key)
        self.value(value ?? .null)
    }

    /// `key: [ ... ]` with `write` writing each item.
    func field<Item>(_ key: StaticString, _ items: [Item], _ write: (Item, JSONWriter) -> Void) {
        array(key) { for item in items { write(item, self) } }
    }
}
