import Dispatch

/// Work over `0..<count` cut into consecutive chunks that run on every core, with the results used strictly in
/// chunk order, so the outcome is the same as one pass from first to last.
///
/// A 10,000-host plan is built and printed this way: each host's plan and text depend only on the host (and
/// on values every chunk reads but none changes), so chunks need nothing from each other. Each chunk gets its
/// own mutable helpers (renderer, interner, output buffer) from `body`; nothing mutable is shared.
enum ParallelChunks {
    /// `body` for each chunk of at most `chunkSize` consecutive indices, concurrently; the results in chunk
    /// order. A single chunk runs on the calling thread.
    static func map<Result>(count: Int, chunkSize: Int, _ body: @Sendable (Range<Int>) -> Result) -> [Result] {
        let ranges = chunks(count: count, size: chunkSize)
        guard ranges.count > 1 else { return ranges.map(body) }
        let results = UnsafeMutableBufferPointer<Result?>.allocate(capacity: ranges.count)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        // Each iteration writes only its own slot, and `concurrentPerform` returns after every iteration ended.
        let slots = Slots(base: results)
        DispatchQueue.concurrentPerform(iterations: ranges.count) { i in
            slots.base[i] = body(ranges[i])
        }
        return results.map { $0! }
    }

    /// Consecutive ranges of at most `size` covering `0..<count`.
    static func chunks(count: Int, size: Int) -> [Range<Int>] {
        let size = max(1, size)
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }

    /// The result slots, handed to the worker threads.
    private struct Slots<Result>: @unchecked Sendable {
        let base: UnsafeMutableBufferPointer<Result?>
    }
}
