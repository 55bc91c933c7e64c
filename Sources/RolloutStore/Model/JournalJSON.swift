import Foundation

/// A JSON value kept in a `detail` or `plan` column: what a phase did (a checksum per file deployed,
/// the pid a restart produced, the HTTP status a health check saw), or the plan of a rollout.
///
/// Stored as compact JSON text with sorted keys; integers stay integers.
public enum JournalJSON: Codable, Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JournalJSON])
    case object([String: JournalJSON])

    /// Converts any `Encodable` value (a struct of the engine's) into a journal value.
    public init(encoding value: some Encodable) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONDecoder().decode(JournalJSON.self, from: data)
    }

    /// Parses stored JSON text.
    public init(text: String) throws {
        do {
            var parser = JournalJSONParser(text)
            self = try parser.parseDocument()
        } catch {
            throw JournalError(.corruptValue, "a detail column holds invalid JSON (\(error)); restore it from a backup")
        }
    }

    /// The compact, key-sorted JSON text stored in the database, written in one pass (a 10,000-host plan is tens
    /// of megabytes; `JSONEncoder` took tens of seconds over this recursive enum). Throws for a non-finite number.
    public func text() throws -> String {
        var bytes: [UInt8] = []
        try writeCompact(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func writeCompact(to bytes: inout [UInt8]) throws {
        switch self {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let value): bytes.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): bytes.append(contentsOf: String(value).utf8)
        case .double(let value):
            guard value.isFinite else {
                throw JournalError(.corruptValue, "\(value) cannot be stored in JSON; store a finite number")
            }
            bytes.append(contentsOf: String(value).utf8)
        case .string(let value): JSONTextWriter.appendQuoted(value, to: &bytes)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                try item.writeCompact(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONTextWriter.appendQuoted(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                try members[key]!.writeCompact(to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JournalJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JournalJSON].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The member `key` of an object, nil otherwise.
    public subscript(key: String) -> JournalJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}

extension JournalJSON {
    /// Encodes an optional detail for its column, nil staying SQL NULL.
    static func columnText(_ value: JournalJSON?) throws -> String? {
        try value?.text()
    }

    /// Decodes an optional column back.
    static func fromColumn(_ text: String?) throws -> JournalJSON? {
        try text.map(JournalJSON.init(text:))
    }
}
