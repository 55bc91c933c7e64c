/// UTF-8 text collected in one growing byte buffer, either kept whole (`text`) or handed to a `drain` in chunks
/// of about `chunkSize` bytes, so a document of any size can be written with bounded memory.
///
/// Writers append `String`s as their UTF-8 bytes without creating intermediate strings; `finish()` hands the
/// rest to the drain. Not thread-safe: one writer at a time.
public final class OutputBuffer {
    // Unchecked: every byte of a large plan is appended here, and only this class touches the buffer, never
    // through overlapping accesses; the dynamic exclusivity check was a sixth of the time of `plan -o json`.
    @exclusivity(unchecked) private var bytes: [UInt8] = []
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
        var left = count
        while left > 0 {
            let run = min(left, Self.spaces.count)
            bytes.append(contentsOf: Self.spaces[0..<run])
            left -= run
        }
    }

    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 64)

    /// Hands what was written to the drain (a buffer without one keeps it).
    public func finish() { flush() }

    private func flush() {
        guard let drain, !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { drain($0) }
        bytes.removeAll(keepingCapacity: true)
    }
}
