import Foundation
import Synchronization

/// Standard output or error written with `write(2)`: retried on `EINTR` and short writes. Once a write fails
/// (`EPIPE`: the reader went away — `| head`, a `tee` killed by Ctrl-C first; or any other error) nothing more is
/// written to that stream and the caller carries on: a rollout must finish its graceful path (journal, restore
/// drained hosts, exit code) whoever reads its output. SIGPIPE is caught and ignored (`Rollout.main`), so the failed
/// write returns `EPIPE` instead of killing the controller. (`FileHandle.write` would trap on that error.)
final class StandardStream: Sendable {
    static let output = StandardStream(STDOUT_FILENO)
    static let error = StandardStream(STDERR_FILENO)

    private let descriptor: Int32
    private let broken = Atomic<Bool>(false)

    private init(_ descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Whether a write failed and the stream is no longer written.
    var isBroken: Bool { broken.load(ordering: .relaxed) }

    func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    func write(_ data: Data) {
        data.withUnsafeBytes { write($0) }
    }

    /// Writes all of `bytes`, or stops for good at the first failure.
    func write(_ bytes: UnsafeRawBufferPointer) {
        guard !isBroken, let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, base + offset, bytes.count - offset)
            if written >= 0 {
                offset += written
                continue
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN:
                // A non-blocking stream (inherited that way): wait until it takes more.
                var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, 1000)
            default:
                broken.store(true, ordering: .relaxed)
                return
            }
        }
    }
}
