import RolloutJSON
import RolloutText

extension JSONWriter {
    /// `count` items of the array just begun, item `i` written by `body(i, writer)`: chunks of `chunkSize` items
    /// are formatted concurrently, each by a continuation writer placed in the same containers, and appended in
    /// order (see `OutputBuffer.writeChunks`), giving the bytes of writing them one after the other here.
    func items(count: Int, chunkSize: Int, _ body: @Sendable (Int, JSONWriter) -> Void) {
        let position = position
        out.writeChunks(count: count, chunkSize: chunkSize) { range, chunk in
            let writer = JSONWriter(chunk, continuing: position, itemsBefore: range.lowerBound)
            for i in range { body(i, writer) }
        }
        itemsWritten(count)
    }
}
