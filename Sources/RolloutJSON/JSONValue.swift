/// A JSON document as a value: what a phase did (a phase's `detail` column), a plan as the journal keeps it, the
/// configuration the agent installer writes, a check report. Objects print with sorted keys, so a document's text
/// is byte-for-byte stable (plans are compared with golden files and read by scripts).
///
/// Integers stay integers (`.int`); other numbers are `.double`. Text: `compactText()` for a column, `formatted()`
/// for people and scripts, `init(parsing:)` back. Large documents are not built as values but streamed through
/// ``JSONWriter``, which prints the same layout as `formatted()`.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// An object without its nil members.
    public static func object(_ members: [(String, JSONValue?)]) -> JSONValue {
        var object: [String: JSONValue] = [:]
        for (key, value) in members { if let value { object[key] = value } }
        return .object(object)
    }

    /// A duration in seconds: an integer when whole (`60`), else a decimal (`0.5`), to the millisecond.
    public static func seconds(_ duration: Duration) -> JSONValue {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? .int(ms / 1000) : .double(Double(ms) / 1000)
    }

    /// The member `key` of an object, nil otherwise.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string, nil for any other value.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, nil for any other value.
    public var intValue: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The elements, nil for any other value.
    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
