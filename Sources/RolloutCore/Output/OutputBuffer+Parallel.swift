import RolloutText

extension OutputBuffer {
    /// Writes what `body` writes for each chunk of `0..<count`: the chunks are formatted concurrently, each into
    /// a buffer of its own, and appended here strictly in order, so the bytes are those of one pass from first
    /// to last (which is what a single chunk is: written here directly, on the calling thread).
    ///
    /// Chunks run in rounds of `inFlight`, reusing the same buffers: a 10,000-host plan is never held whole,
    /// and at most `inFlight` chunks' text exists at once.
    func writeChunks(
        count: Int, chunkSize: Int, inFlight: Int = 4, _ body: @Sendable (Range<Int>, OutputBuffer) -> Void
    ) {
        let ranges = ParallelChunks.chunks(count: count, size: chunkSize)
        guard ranges.count > 1 else {
            for range in ranges { body(range, self) }
            return
        }
        let buffers = ChunkBuffers((0..<min(max(1, inFlight), ranges.count)).map { _ in OutputBuffer() })
        var start = 0
        while start < ranges.count {
            let round = Array(ranges[start..<min(start + buffers.all.count, ranges.count)])
            _ = ParallelChunks.map(count: round.count, chunkSize: 1) { slot in
                let buffer = buffers.all[slot.lowerBound]
                buffer.removeAll()
                body(round[slot.lowerBound], buffer)
            }
            for slot in round.indices { write(contentsOf: buffers.all[slot]) }
            start += round.count
        }
    }

    /// The round's buffers, handed to the worker threads: each chunk of a round writes only its own buffer, and
    /// they are read here only after the round ended.
    private struct ChunkBuffers: @unchecked Sendable {
        let all: [OutputBuffer]

        init(_ all: [OutputBuffer]) { self.all = all }
    }
}
