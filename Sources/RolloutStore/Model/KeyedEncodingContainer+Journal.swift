import Foundation

// JSON encoding of the journal's types for `rollout show`, whose document for 10,000 hosts has over
// half a million values. These overloads call the encoder's concrete `String`/`Int64` requirements
// instead of its generic path (dynamic casts per value), write `null` for absent values so keys are
// never omitted, and format times as journal text (``JournalTime``) whatever the encoder's date strategy.
extension KeyedEncodingContainer {
    mutating func encodeJournal(_ value: String?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func encodeJournal(_ value: Int64?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func encodeJournal(_ value: Int32?, forKey key: Key) throws {
        try encodeJournal(value.map(Int64.init), forKey: key)
    }

    mutating func encodeJournal(_ value: Int, forKey key: Key) throws {
        try encode(value, forKey: key)
    }

    mutating func encodeJournal(_ value: Date?, forKey key: Key) throws {
        try encodeJournal(value.map(JournalTime.string(from:)), forKey: key)
    }

    mutating func encodeJournal(_ value: Duration?, forKey key: Key) throws {
        try encodeJournal(JournalDuration.milliseconds(value), forKey: key)
    }

    mutating func encodeJournal<Status: RawRepresentable>(_ value: Status, forKey key: Key) throws
    where Status.RawValue == String {
        try encode(value.rawValue, forKey: key)
    }

    mutating func encodeJournal<Value: Encodable>(_ value: Value?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}
