import Foundation

/// Writes pretty JSON text directly, in exactly the layout of `JSONEncoder` with
/// `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]`, for documents too large for the encoder to
/// be quick (`rollout show` of 10,000 hosts has over half a million values; the encoder takes seconds).
///
/// The caller writes each object's keys in sorted order; a test compares the result with `JSONEncoder`'s.
struct JSONTextWriter {
    /// UTF-8 bytes: appending to an array is much cheaper than to a `String`.
    private var bytes: [UInt8] = []
    /// Per open container, whether it has no element yet.
    private var empty: [Bool] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func beginObject() { open("{") }
    mutating func endObject() { close("}") }
    mutating func beginArray() { open("[") }
    mutating func endArray() { close("]") }

    /// Starts the next member of the current object; its value follows.
    mutating func key(_ key: String) {
        separate()
        appendString(key)
        append(" : ")
    }

    /// Starts the next element of the current array; its value follows.
    mutating func element() { separate() }

    /// One member of the current object: `key` then the value (times as journal text, durations in ms).
    mutating func field(_ key: String, _ value: String?) {
        self.key(key)
        string(value)
    }

    mutating func field(_ key: String, _ value: Int64?) {
        self.key(key)
        int(value)
    }

    mutating func field(_ key: String, _ value: Int) { field(key, Int64(value)) }

    mutating func field(_ key: String, _ value: Date?) { field(key, value.map(JournalTime.string(from:))) }

    mutating func field(_ key: String, _ value: Duration?) { field(key, JournalDuration.milliseconds(value)) }

    /// An array of `items`, each written by `write`.
    mutating func array<Item>(_ items: [Item], _ write: (Item, inout JSONTextWriter) -> Void) {
        beginArray()
        for item in items {
            element()
            write(item, &self)
        }
        endArray()
    }

    mutating func string(_ value: String?) {
        guard let value else { return null() }
        appendString(value)
    }

    mutating func int(_ value: Int64?) {
        guard let value else { return null() }
        append(String(value))
    }

    mutating func null() { append("null") }

    /// A journal JSON value (a phase's detail, a plan), objects with sorted keys.
    mutating func json(_ value: JournalJSON?) {
        switch value {
        case nil, .null?: null()
        case .bool(let flag)?: append(flag ? "true" : "false")
        case .int(let number)?: int(number)
        case .double(let number)?:
            // Rare: let the encoder format it, so the text is identical to its own.
            append((try? JSONEncoder().encode(number)).map { String(decoding: $0, as: UTF8.self) } ?? "null")
        case .string(let string)?: appendString(string)
        case .array(let elements)?:
            array(elements) { $1.json($0) }
        case .object(let members)?:
            beginObject()
            for (name, member) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                key(name)
                json(member)
            }
            endObject()
        }
    }

    private mutating func open(_ bracket: String) {
        append(bracket)
        empty.append(true)
    }

    private mutating func close(_ bracket: String) {
        let wasEmpty = empty.removeLast()
        append(wasEmpty ? "\n\n" : "\n")
        indent()
        append(bracket)
    }

    private mutating func separate() {
        if empty[empty.count - 1] {
            empty[empty.count - 1] = false
        } else {
            append(",")
        }
        append("\n")
        indent()
    }

    private mutating func indent() {
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * empty.count))
    }

    private mutating func appendString(_ value: String) {
        Self.appendQuoted(value, to: &bytes)
    }

    /// `value` as a JSON string, escaped as `JSONEncoder` escapes it (`.withoutEscapingSlashes`).
    static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Nearly every string (names, versions, times) needs no escape: append it whole.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for scalar in value.unicodeScalars {
            let escaped: String
            switch scalar {
            case "\"": escaped = "\\\""
            case "\\": escaped = "\\\\"
            case "\n": escaped = "\\n"
            case "\r": escaped = "\\r"
            case "\t": escaped = "\\t"
            case "\u{8}": escaped = "\\b"
            case "\u{c}": escaped = "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                escaped = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: escaped = String(scalar)
            }
            bytes.append(contentsOf: escaped.utf8)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func append(_ string: String) {
        bytes.append(contentsOf: string.utf8)
    }
}
