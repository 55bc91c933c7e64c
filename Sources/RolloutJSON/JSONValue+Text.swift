import RolloutText

/// Why a JSON text could not be read or a value could not be written.
public struct JSONError: Error, CustomStringConvertible, Sendable {
    /// The byte of the text where reading stopped; nil when writing failed.
    public var offset: Int?
    public var message: String

    public var description: String { offset.map { "\(message) at byte \($0)" } ?? message }
}

extension JSONValue {
    /// Parses JSON text (one value, whitespace around it allowed).
    public init(parsing text: String) throws(JSONError) {
        var parser = JSONParser(text)
        self = try parser.parseDocument()
    }

    /// The compact text a column keeps: no whitespace, keys sorted, integers as integers. Throws for a
    /// non-finite number, which JSON cannot hold.
    public func compactText() throws(JSONError) -> String {
        let out = OutputBuffer()
        try writeCompact(to: out)
        return out.text
    }

    /// Pretty-printed (``JSONWriter``'s layout) with a trailing newline.
    public func formatted() -> String {
        let out = OutputBuffer()
        JSONWriter(out).value(self)
        out.write(byte: UInt8(ascii: "\n"))
        return out.text
    }

    private func writeCompact(to out: OutputBuffer) throws(JSONError) {
        switch self {
        case .null: out.write("null")
        case .bool(let value): out.write(value ? "true" : "false")
        case .int(let value): out.write(String(value))
        case .double(let value):
            guard value.isFinite else { throw JSONError(message: "\(value) cannot be written as JSON") }
            out.write(String(value))
        case .string(let value): JSONWriter.quote(value, to: out)
        case .array(let items):
            out.write(byte: UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.write(byte: UInt8(ascii: ",")) }
                try item.writeCompact(to: out)
            }
            out.write(byte: UInt8(ascii: "]"))
        case .object(let members):
            out.write(byte: UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out.write(byte: UInt8(ascii: ",")) }
                JSONWriter.quote(key, to: out)
                out.write(byte: UInt8(ascii: ":"))
                try members[key]!.writeCompact(to: out)
            }
            out.write(byte: UInt8(ascii: "}"))
        }
    }
}
