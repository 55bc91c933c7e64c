import Foundation
import RolloutCore
import RolloutText

/// Standard output as the drain of an `OutputBuffer`: large documents (a 10,000-host plan) go out in chunks
/// as they are written instead of being built whole in memory first.
enum StandardOutput {
    /// Ends the process with status 0 once everything printed is flushed, without returning: what the caller
    /// still holds (a 10,000-host plan is millions of strings, arrays and boxes) is not freed object by object,
    /// which took a tenth of `rollout plan`'s time; the kernel takes the whole address space back at once.
    static func exitSuccessfully() -> Never {
        fflush(nil)
        exit(EXIT_SUCCESS)
    }

    /// A buffer whose chunks are written to standard output (``StandardStream``: `write(2)`, retried on `EINTR` and
    /// short writes; a closed pipe, `rollout plan | head`, ends the output).
    static func buffer() -> OutputBuffer {
        // Anything `print` buffered must come first.
        fflush(nil)
        return OutputBuffer { chunk in StandardStream.output.write(UnsafeRawBufferPointer(chunk)) }
    }
}
