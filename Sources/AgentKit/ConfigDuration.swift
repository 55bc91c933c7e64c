import Foundation

/// A duration in the agent's YAML: `250ms`, `2s`, `1.5s`, `5m`, or a bare number of seconds.
public struct ConfigDuration: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The length in milliseconds.
    public var milliseconds: Int

    public init(milliseconds: Int) { self.milliseconds = milliseconds }
    public static func seconds(_ value: Int) -> ConfigDuration { ConfigDuration(milliseconds: value * 1000) }

    /// Parses `text`, or returns nil when it is not one of the accepted forms.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count)), value >= 0 else { return nil }
            milliseconds = Int(value * scale)
            return
        }
        guard let value = Double(trimmed), value >= 0 else { return nil }
        milliseconds = Int(value * 1000)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self), number >= 0 {
            milliseconds = Int(number * 1000)
            return
        }
        let text = try container.decode(String.self)
        guard let parsed = ConfigDuration(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "'\(text)' is not a duration; use e.g. 500ms, 2s, 1m or a number of seconds")
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode("\(milliseconds)ms")
    }

    public var description: String { "\(milliseconds)ms" }
}
