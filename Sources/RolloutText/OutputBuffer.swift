/// UTF-8 text collected in one byte buffer, either kept whole (`text`) or handed to a `drain` in chunks of about
/// `chunkSize` bytes, so a document of any size can be written with bounded memory.
///
/// Writers copy `String`s' UTF-8 bytes straight into the buffer, creating no intermediate strings; `finish()`
/// hands the rest to the drain. Not thread-safe: one writer at a time.
public final class OutputBuffer {
    // Raw memory and unchecked exclusivity: every byte of a 75 MB plan goes through here, and the checks and
    // bounds of `[UInt8]` were a sixth of the time of `rollout plan -o json`. Only this class touches it.
    // `@usableFromInline` and `@inlinable` writes: the JSON and text writers of other modules write through them.
    @exclusivity(unchecked) @usableFromInline var storage: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) @usableFromInline var capacity: Int
    @exclusivity(unchecked) @usableFromInline var count = 0
    private let drain: ((UnsafeBufferPointer<UInt8>) -> Void)?

    /// A buffer that keeps everything written, for `text`.
    public init() {
        capacity = 256
        storage = .allocate(capacity: capacity)
        drain = nil
    }

    /// A buffer that passes its bytes to `drain` whenever `chunkSize` bytes have accumulated, and on `finish()`.
    public init(chunkSize: Int = 64 * 1024, drain: @escaping (UnsafeBufferPointer<UInt8>) -> Void) {
        capacity = max(chunkSize, 64)
        storage = .allocate(capacity: capacity)
        self.drain = drain
    }

    deinit { storage.deallocate() }

    /// Everything written so far that has not been drained, as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Everything written so far that has not been drained; valid until the next write.
    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: storage, count: count) }

    @inlinable
    public func write(_ string: String) {
        var string = string
        // Native strings are contiguous UTF-8 already: a single copy of their bytes.
        string.withUTF8 { write($0) }
    }

    @inlinable
    public func write(_ string: Substring) {
        var string = string
        string.withUTF8 { write($0) }
    }

    @inlinable
    public func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        reserve(bytes.count)
        (storage + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    @inlinable
    public func write(byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    /// Everything `other` holds (a buffer without a drain), appended.
    public func write(contentsOf other: OutputBuffer) {
        write(other.bytes)
    }

    /// `count` spaces.
    @inlinable
    public func writeSpaces(_ spaces: Int) {
        reserve(spaces)
        (storage + count).update(repeating: UInt8(ascii: " "), count: spaces)
        count += spaces
    }

    /// Forgets what was written, keeping the memory (a buffer reused for the next chunk).
    public func removeAll() { count = 0 }

    /// Hands what was written to the drain (a buffer without one keeps it).
    public func finish() { flush() }

    @inlinable
    func reserve(_ needed: Int) {
        if count + needed > capacity { makeRoom(needed) }
    }

    @usableFromInline
    func makeRoom(_ needed: Int) {
        flush()
        guard count + needed > capacity else { return }
        // Collecting everything, or one write larger than a chunk: grow.
        let grown = max(capacity * 2, count + needed)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity = grown
    }

    private func flush() {
        guard let drain, count > 0 else { return }
        drain(UnsafeBufferPointer(start: storage, count: count))
        count = 0
    }
}
