/// Writes pretty-printed JSON straight into an `OutputBuffer`, with no document tree in memory: two-space
/// indentation, `"key": value`, `[]` and `{}` when empty. `JSONValue.formatted()` prints through it too, so a
/// streamed document and the same document built as a `JSONValue` are byte for byte the same.
///
/// The caller writes an object's members in sorted key order (as `JSONValue` prints them) and leaves out absent
/// optional members; debug builds check the order.
final class JSONWriter {
    let out: OutputBuffer
    /// Where `string(building:)` builds a value before it is escaped.
    private lazy var scratch = OutputBuffer()
    /// Items written so far in each open container, innermost last.
    @exclusivity(unchecked) private var counts: [Int] = []
    /// A key was written and its value is next (no separator before it).
    @exclusivity(unchecked) private var afterKey = false
    #if DEBUG
        private var lastKeys: [String?] = []
    #endif

    init(_ out: OutputBuffer) {
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

    func beginObject() {
        beforeValue()
        out.write(byte: UInt8(ascii: "{"))
        counts.append(0)
        #if DEBUG
            lastKeys.append(nil)
        #endif
    }

    func endObject() {
        #if DEBUG
            lastKeys.removeLast()
        #endif
        close(UInt8(ascii: "}"))
    }

    func beginArray() {
        beforeValue()
        out.write(byte: UInt8(ascii: "["))
        counts.append(0)
    }

    func endArray() { close(UInt8(ascii: "]")) }

    /// `key: { body }`.
    func object(_ key: StaticString, _ body: () -> Void) {
        self.key(literal: key)
        object(body)
    }

    func object(_ body: () -> Void) {
        beginObject()
        body()
        endObject()
    }

    /// `key: [ body ]`.
    func array(_ key: StaticString, _ body: () -> Void) {
        self.key(literal: key)
        beginArray()
        body()
        endArray()
    }

    /// `key: [ "a", "b" ]`.
    func array(_ key: StaticString, strings: [String]) {
        array(key) { for item in strings { string(item) } }
    }

    /// `count` items of the array just begun, item `i` written by `body(i, writer)`: chunks of `chunkSize` items
    /// are formatted concurrently, each by a writer of its own placed in the same containers, and appended in
    /// order (see `OutputBuffer.writeChunks`), giving the bytes of writing them one after the other here.
    func items(count: Int, chunkSize: Int, _ body: @Sendable (Int, JSONWriter) -> Void) {
        precondition(!afterKey && !counts.isEmpty, "items(count:) writes into an open array")
        let outer = counts
        out.writeChunks(count: count, chunkSize: chunkSize) { range, chunk in
            var counts = outer
            counts[counts.count - 1] += range.lowerBound
            let writer = JSONWriter(chunk, counts: counts)
            for i in range { body(i, writer) }
        }
        counts[counts.count - 1] += count
    }

    // MARK: Members and values

    func key(_ key: String) {
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
    func key(literal key: StaticString) {
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
    func member(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        self.key(literal: key)
        string(value)
    }

    /// An integer member; left out when `value` is nil.
    func member(_ key: StaticString, int value: Int?) {
        guard let value else { return }
        self.key(literal: key)
        int(value)
    }

    func member(_ key: StaticString, bool value: Bool?) {
        guard let value else { return }
        self.key(literal: key)
        bool(value)
    }

    /// A duration in seconds (see `JSONValue.seconds`); left out when nil.
    func member(_ key: StaticString, seconds value: Duration?) {
        guard let value else { return }
        self.key(literal: key)
        seconds(value)
    }

    func string(_ value: String) {
        beforeValue()
        quoted(value)
    }

    /// A string value made of what `build` writes (into a buffer reused from value to value), with no `String`
    /// made for it: a command's `line` is built this way for every command of every host.
    func string(building build: (OutputBuffer) -> Void) {
        scratch.removeAll()
        build(scratch)
        beforeValue()
        quoted(bytes: scratch.bytes)
    }

    func int(_ value: Int) {
        beforeValue()
        out.write(String(value))
    }

    func number(_ value: Double) {
        beforeValue()
        out.write(String(value))
    }

    func bool(_ value: Bool) {
        beforeValue()
        out.write(value ? "true" : "false")
    }

    func null() {
        beforeValue()
        out.write("null")
    }

    /// Whole seconds as an integer (`60`), otherwise a decimal (`0.5`), to the millisecond.
    func seconds(_ duration: Duration) {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if ms % 1000 == 0 { int(Int(ms / 1000)) } else { number(Double(ms) / 1000) }
    }

    // MARK: Layout

    private func beforeValue() {
        if afterKey {
            afterKey = false
        } else {
            nextItem()
        }
    }

    /// The separator and indentation before an item of the innermost container.
    private func nextItem() {
        guard let last = counts.indices.last else { return }
        if counts[last] > 0 { out.write(byte: UInt8(ascii: ",")) }
        counts[last] += 1
        out.write(byte: UInt8(ascii: "\n"))
        out.writeSpaces(2 * counts.count)
    }

    private func close(_ bracket: UInt8) {
        if counts.removeLast() > 0 {
            out.write(byte: UInt8(ascii: "\n"))
            out.writeSpaces(2 * counts.count)
        }
        out.write(byte: bracket)
    }

    /// The string in quotes, escaping `"`, `\` and control characters; runs of other bytes (any UTF-8) are
    /// copied as they are.
    private func quoted(_ value: String) {
        // Native strings are contiguous UTF-8: read in place, without the copy `withUTF8` needs a `var` for.
        if let done: Void = value.utf8.withContiguousStorageIfAvailable({ quoted(bytes: $0) }) { return done }
        var value = value
        value.withUTF8 { quoted(bytes: $0) }
    }

    private func quoted(bytes: UnsafeBufferPointer<UInt8>) {
        out.write(byte: UInt8(ascii: "\""))
        var start = 0
        for i in 0..<bytes.count {
            let byte = bytes[i]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if i > start { out.write(UnsafeBufferPointer(rebasing: bytes[start..<i])) }
            writeEscape(byte)
            start = i + 1
        }
        if start < bytes.count { out.write(UnsafeBufferPointer(rebasing: bytes[start...])) }
        out.write(byte: UInt8(ascii: "\""))
    }

    private func writeEscape(_ byte: UInt8) {
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
