import RolloutText

/// Writes pretty-printed JSON straight into an `OutputBuffer`, with no document tree in memory: two-space
/// indentation, `"key": value`, `[]` and `{}` when empty, `/` not escaped. This is the layout of every JSON document
/// rollout prints (`plan`, `show`, `history`, the agent's `status`...): `JSONValue.formatted()` prints through it
/// too, so a streamed document and the same document built as a `JSONValue` are byte for byte the same.
///
/// The caller writes an object's members in sorted key order (as `JSONValue` prints them); debug builds check the
/// order. The hot calls are `@inlinable`: a 10,000-host plan writes millions of values from other modules.
public final class JSONWriter {
    public let out: OutputBuffer
    /// Where `string(building:)` builds a value before it is escaped.
    @usableFromInline lazy var scratch = OutputBuffer()
    /// Items written so far in each open container, innermost last.
    @exclusivity(unchecked) @usableFromInline var counts: [Int] = []
    /// A key was written and its value is next (no separator before it).
    @exclusivity(unchecked) @usableFromInline var afterKey = false
    #if DEBUG
        @usableFromInline var lastKeys: [String?] = []
    #endif

    public init(_ out: OutputBuffer) {
        self.out = out
    }

    /// A writer continuing inside the same containers as one whose open containers hold `counts` items.
    private init(_ out: OutputBuffer, counts: [Int]) {
        self.out = out
        self.counts = counts
        #if DEBUG
            lastKeys = []
        #endif
    }

    // MARK: Containers

    @inlinable
    public func beginObject() {
        beforeValue()
        out.write(byte: UInt8(ascii: "{"))
        counts.append(0)
        #if DEBUG
            lastKeys.append(nil)
        #endif
    }

    @inlinable
    public func endObject() {
        #if DEBUG
            lastKeys.removeLast()
        #endif
        close(UInt8(ascii: "}"))
    }

    @inlinable
    public func beginArray() {
        beforeValue()
        out.write(byte: UInt8(ascii: "["))
        counts.append(0)
    }

    @inlinable
    public func endArray() { close(UInt8(ascii: "]")) }

    /// `key: { body }`.
    @inlinable
    public func object(_ key: StaticString, _ body: () -> Void) {
        self.key(literal: key)
        object(body)
    }

    @inlinable
    public func object(_ body: () -> Void) {
        beginObject()
        body()
        endObject()
    }

    /// `key: [ body ]`.
    @inlinable
    public func array(_ key: StaticString, _ body: () -> Void) {
        self.key(literal: key)
        beginArray()
        body()
        endArray()
    }

    /// `key: [ "a", "b" ]`.
    public func array(_ key: StaticString, strings: [String]) {
        array(key) { for item in strings { string(item) } }
    }

    /// Where the writer is: the items written so far in each open container. A value to hand to other threads.
    public struct Position: Sendable {
        fileprivate var counts: [Int]
    }

    public var position: Position {
        precondition(!afterKey && !counts.isEmpty, "a continuation writes into an open array")
        return Position(counts: counts)
    }

    /// A writer that goes on in the containers open at `position`, as if `itemsBefore` more items had been written
    /// into the innermost one, writing into `out`: a chunk of a long array formatted on another thread (RolloutCore's
    /// `items(count:chunkSize:_:)`), whose bytes are appended after the items before it.
    public convenience init(_ out: OutputBuffer, continuing position: Position, itemsBefore: Int) {
        var counts = position.counts
        counts[counts.count - 1] += itemsBefore
        self.init(out, counts: counts)
    }

    /// Counts `count` items that continuations wrote into the innermost array.
    public func itemsWritten(_ count: Int) {
        counts[counts.count - 1] += count
    }

    // MARK: Members and values

    public func key(_ key: String) {
        #if DEBUG
            if let previous = lastKeys[lastKeys.count - 1] {
                assert(previous < key, "JSON keys out of order: `\(previous)` before `\(key)`")
            }
            lastKeys[lastKeys.count - 1] = key
        #endif
        nextItem()
        quoted(key)
        out.write(": ")
        afterKey = true
    }

    /// `key(key)` for a key written in the source (the schema's snake_case names, nothing to escape): its
    /// bytes are copied without a scan or a string. The members' helpers below take only such keys.
    @inlinable
    public func key(literal key: StaticString) {
        #if DEBUG
            self.key(key.description)
            return
        #else
            nextItem()
            out.write(byte: UInt8(ascii: "\""))
            out.write(UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
            out.write("\": ")
            afterKey = true
        #endif
    }

    /// A string member; left out when `value` is nil.
    @inlinable
    public func member(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        self.key(literal: key)
        string(value)
    }

    /// An integer member; left out when `value` is nil.
    @inlinable
    public func member(_ key: StaticString, int value: Int?) {
        guard let value else { return }
        self.key(literal: key)
        int(value)
    }

    @inlinable
    public func member(_ key: StaticString, bool value: Bool?) {
        guard let value else { return }
        self.key(literal: key)
        bool(value)
    }

    /// A duration in seconds (see `JSONValue.seconds`); left out when nil.
    @inlinable
    public func member(_ key: StaticString, seconds value: Duration?) {
        guard let value else { return }
        self.key(literal: key)
        seconds(value)
    }

    @inlinable
    public func string(_ value: String) {
        beforeValue()
        quoted(value)
    }

    /// A string value made of what `build` writes (into a buffer reused from value to value), with no `String`
    /// made for it: a command's `line` is built this way for every command of every host.
    @inlinable
    public func string(building build: (OutputBuffer) -> Void) {
        scratch.removeAll()
        build(scratch)
        beforeValue()
        quoted(bytes: scratch.bytes)
    }

    @inlinable
    public func int(_ value: Int) {
        beforeValue()
        out.write(String(value))
    }

    /// A number; a non-finite one (which JSON cannot hold) is written as `null`.
    public func number(_ value: Double) {
        guard value.isFinite else { return null() }
        beforeValue()
        out.write(String(value))
    }

    @inlinable
    public func bool(_ value: Bool) {
        beforeValue()
        out.write(value ? "true" : "false")
    }

    @inlinable
    public func null() {
        beforeValue()
        out.write("null")
    }

    /// Whole seconds as an integer (`60`), otherwise a decimal (`0.5`), to the millisecond.
    public func seconds(_ duration: Duration) {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if ms % 1000 == 0 { int(Int(ms / 1000)) } else { number(Double(ms) / 1000) }
    }

    /// A whole value, objects with sorted keys.
    public func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .int(let number): int(Int(number))
        case .double(let number): self.number(number)
        case .string(let text): string(text)
        case .array(let items):
            beginArray()
            for item in items { self.value(item) }
            endArray()
        case .object(let members):
            beginObject()
            for key in members.keys.sorted() {
                self.key(key)
                self.value(members[key]!)
            }
            endObject()
        }
    }

    // MARK: Layout

    @inlinable
    func beforeValue() {
        if afterKey {
            afterKey = false
        } else {
            nextItem()
        }
    }

    /// The separator and indentation before an item of the innermost container.
    @inlinable
    func nextItem() {
        guard let last = counts.indices.last else { return }
        if counts[last] > 0 { out.write(byte: UInt8(ascii: ",")) }
        counts[last] += 1
        out.write(byte: UInt8(ascii: "\n"))
        out.writeSpaces(2 * counts.count)
    }

    @inlinable
    func close(_ bracket: UInt8) {
        if counts.removeLast() > 0 {
            out.write(byte: UInt8(ascii: "\n"))
            out.writeSpaces(2 * counts.count)
        }
        out.write(byte: bracket)
    }

    /// The string in quotes, escaping `"`, `\` and control characters; runs of other bytes (any UTF-8) are
    /// copied as they are.
    @inlinable
    func quoted(_ value: String) {
        // Native strings are contiguous UTF-8: read in place, without the copy `withUTF8` needs a `var` for.
        if let done: Void = value.utf8.withContiguousStorageIfAvailable({ quoted(bytes: $0) }) { return done }
        var value = value
        value.withUTF8 { quoted(bytes: $0) }
    }

    @inlinable
    func quoted(bytes: UnsafeBufferPointer<UInt8>) {
        Self.quote(bytes: bytes, to: out)
    }

    /// `value` in quotes, escaped, appended to `out` (the compact text of `JSONValue` uses it too).
    public static func quote(_ value: String, to out: OutputBuffer) {
        var value = value
        value.withUTF8 { quote(bytes: $0, to: out) }
    }

    @inlinable
    static func quote(bytes: UnsafeBufferPointer<UInt8>, to out: OutputBuffer) {
        out.write(byte: UInt8(ascii: "\""))
        var start = 0
        for i in 0..<bytes.count {
            let byte = bytes[i]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if i > start { out.write(UnsafeBufferPointer(rebasing: bytes[start..<i])) }
            writeEscape(byte, to: out)
            start = i + 1
        }
        if start < bytes.count { out.write(UnsafeBufferPointer(rebasing: bytes[start...])) }
        out.write(byte: UInt8(ascii: "\""))
    }

    @usableFromInline
    static func writeEscape(_ byte: UInt8, to out: OutputBuffer) {
        switch byte {
        case UInt8(ascii: "\""): out.write("\\\"")
        case UInt8(ascii: "\\"): out.write("\\\\")
        case UInt8(ascii: "\n"): out.write("\\n")
        case UInt8(ascii: "\r"): out.write("\\r")
        case UInt8(ascii: "\t"): out.write("\\t")
        default:
            let hex = Array("0123456789abcdef".utf8)
            out.write("\\u00")
            out.write(byte: hex[Int(byte >> 4)])
            out.write(byte: hex[Int(byte & 0xF)])
        }
    }
}
