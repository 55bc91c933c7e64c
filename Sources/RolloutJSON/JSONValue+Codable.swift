import Foundation

/// How a `Codable` type's members are named and its dates written: the one configuration of `Codable` JSON in rollout,
/// used by ``JSONValue/init(encoding:coding:)`` and ``JSONValue/decode(_:from:coding:)``.
public struct JSONCoding: Sendable {
    public enum Dates: Sendable {
        /// Foundation's default (seconds since 2001): for types that write their dates themselves.
        case deferred
        /// ISO-8601 text, whole seconds.
        case iso8601
        /// Text made by the function (the journal's time format); encoding only.
        case text(@Sendable (Date) -> String)
    }

    /// Swift's camelCase property names as snake_case members (`durationMs` → `duration_ms`).
    public var snakeCaseKeys: Bool
    public var dates: Dates

    public init(snakeCaseKeys: Bool = false, dates: Dates = .deferred) {
        self.snakeCaseKeys = snakeCaseKeys
        self.dates = dates
    }

    /// Members as declared, dates as the type writes them.
    public static let standard = JSONCoding()
    /// snake_case members: the agent's control protocol, the CLI's documents.
    public static let snakeCase = JSONCoding(snakeCaseKeys: true)

    func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        if snakeCaseKeys { encoder.keyEncodingStrategy = .convertToSnakeCase }
        switch dates {
        case .deferred: break
        case .iso8601: encoder.dateEncodingStrategy = .iso8601
        case .text(let text):
            encoder.dateEncodingStrategy = .custom { date, encoder in
                var container = encoder.singleValueContainer()
                try container.encode(text(date))
            }
        }
        return encoder
    }

    func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        if snakeCaseKeys { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        if case .iso8601 = dates { decoder.dateDecodingStrategy = .iso8601 }
        return decoder
    }
}

/// The bridge to `Codable`, for typed messages (the agent's control protocol and state files, the CLI's small
/// documents): a type declares its members once with `Codable`, and its text is written by ``JSONWriter`` (or the
/// compact form) in the one layout every JSON of rollout has. Foundation's coders map the type to and from a value.
extension JSONValue: Codable {
    /// `value` as a JSON value (its `Encodable` conformance decides the members).
    public init(encoding value: some Encodable, coding: JSONCoding = .standard) throws {
        let data = try coding.encoder().encode(value)
        self = try JSONValue(parsing: String(decoding: data, as: UTF8.self))
    }

    /// `value`'s compact text: one line (the agent's protocol is a line per message), keys sorted.
    public static func compactText(of value: some Encodable, coding: JSONCoding = .standard) throws -> String {
        try JSONValue(encoding: value, coding: coding).compactText()
    }

    /// `value` pretty-printed, with a trailing newline.
    public static func formatted(_ value: some Encodable, coding: JSONCoding = .standard) throws -> String {
        try JSONValue(encoding: value, coding: coding).formatted()
    }

    /// Reads a `Decodable` type from JSON text.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, coding: JSONCoding = .standard) throws -> T
    {
        try coding.decoder().decode(type, from: data)
    }

    /// The value as a `Decodable` type.
    public func decode<T: Decodable>(as type: T.Type = T.self, coding: JSONCoding = .standard) throws -> T {
        try Self.decode(type, from: Data(try compactText().utf8), coding: coding)
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
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
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
}
