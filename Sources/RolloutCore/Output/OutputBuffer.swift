/// UTF-8 text collected in one growing byte buffer, either kept whole (`text`) or handed to a `drain` in chunks
/// of about `chunkSize` bytes, so a document of any size can be written with bounded memory.
///
/// Writers append `String`s as their UTF-8 bytes without creating intermediate strings; `finish()` hands the
/// rest to the drain. Not thread-safe: one writer at a time.
public final class OutputBuffer {
    private var bytes: [UInt8] = []
    private let chunkSize: Int
    private let drain: ((UnsafeBufferPointer<UInt8>) -> Void)?

    /// A buffer that keeps everything written, for `text`.
    public init() {
        chunkSize = .max
        drain = nil
    }

    /// A buffer that passes its bytes to `drain` whenever `chunkSize` bytes have accumulated, and on `finish()`.
    public init(chunkSize: Int = 64 * 1024, drain: @escaping (UnsafeBufferPointer<UInt8>) -> Void) {
        self.chunkSize = chunkSize
        self.drain = drain
        bytes.reserveCapacity(chunkSize + 4096)
    }

    /// Everything written so far that has not been drained, as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    @inline(__always)
    func write(_ string: String) {
        var string = string
        // Native strings are contiguous UTF-8 already: a single copy of their bytes.
        string.withUTF8 { bytes.append(contentsOf: $0) }
        if bytes.count >= chunkSize { flush() }
    }

    @inline(__always)
    func write(_ string: Substring) {
        var string = string
        string.withUTF8 { bytes.append(contentsOf: $0) }
        if bytes.count >= chunkSize { flush() }
    }

    @inline(__always)
    func write(byte: UInt8) {
        bytes.append(byte)
    }

    @inline(__always)
    func write(_ buffer: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: buffer)
    }

    /// `count` spaces.
    func writeSpaces(_ count: Int) {
        for _ in 0..<count { bytes.append(UInt8(ascii: " ")) }
    }

    /// Hands what was written to the drain (a buffer without one keeps it).
    public func finish() { flush() }

    private func flush() {
        guard let drain, !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { drain($0) }
        bytes.removeAll(keepingCapacity: true)
    }
}
