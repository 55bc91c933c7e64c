/// A JSON document built explicitly, printed with sorted keys and fixed formatting so that output is
/// byte-for-byte stable (plans are compared with golden files and read by scripts).
public indirect enum JSONValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case int(Int)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    /// An object without its nil members.
    static func object(_ members: [(String, JSONValue?)]) -> JSONValue {
        var dict: [String: JSONValue] = [:]
        for (key, value) in members { if let value { dict[key] = value } }
        return .object(dict)
    }

    /// A duration in seconds: an integer when whole (`60`), else a decimal (`0.5`).
    static func seconds(_ duration: Duration) -> JSONValue {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? .int(Int(ms / 1000)) : .number(Double(ms) / 1000)
    }

    /// Pretty-printed with two-space indentation, keys sorted, and a trailing newline.
    public func formatted() -> String {
        let out = OutputBuffer()
        write(to: JSONWriter(out))
        out.write(byte: UInt8(ascii: "\n"))
        return out.text
    }

    func write(to writer: JSONWriter) {
        switch self {
        case .string(let s): writer.string(s)
        case .number(let d): writer.number(d)
        case .int(let i): writer.int(i)
        case .bool(let b): writer.bool(b)
        case .null: writer.null()
        case .array(let items):
            writer.beginArray()
            for item in items { item.write(to: writer) }
            writer.endArray()
        case .object(let members):
            writer.beginObject()
            for key in members.keys.sorted() {
                writer.key(key)
                members[key]!.write(to: writer)
            }
            writer.endObject()
        }
    }
}
