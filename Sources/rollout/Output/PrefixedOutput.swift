import Foundation
import SSHClient
import Synchronization

/// Streams one host's output line by line, each line prefixed with the host name, so that the
/// output of many hosts running at once interleaves by whole lines and stays attributable.
final class PrefixedOutput: Sendable {
    enum Stream { case stdout, stderr }

    /// The process's own standard output and error, shared by every host's printer.
    static let terminal = Terminal()

    private let prefix: String
    private let pending = Mutex<(stdout: [UInt8], stderr: [UInt8])>(([], []))

    init(prefix: String) { self.prefix = prefix }

    /// Takes a chunk as it arrives; prints every complete line in it.
    func write(_ chunk: SSHOutputChunk) {
        let lines: [[UInt8]]
        let stream: Stream
        switch chunk {
        case .stdout(let bytes): (lines, stream) = (pending.withLock { Self.split(&$0.stdout, adding: bytes) }, .stdout)
        case .stderr(let bytes): (lines, stream) = (pending.withLock { Self.split(&$0.stderr, adding: bytes) }, .stderr)
        }
        for line in lines {
            Self.terminal.write(stream: stream, "\(prefix) | \(String(decoding: line, as: UTF8.self))\n")
        }
    }

    /// Prints what is left after the last newline.
    func finish() {
        let (out, err) = pending.withLock { state in
            defer { state = ([], []) }
            return state
        }
        if !out.isEmpty {
            Self.terminal.write(stream: .stdout, "\(prefix) | \(String(decoding: out, as: UTF8.self))\n")
        }
        if !err.isEmpty {
            Self.terminal.write(stream: .stderr, "\(prefix) | \(String(decoding: err, as: UTF8.self))\n")
        }
    }

    /// Prints a line about the host itself (connection failure, timeout) to standard error.
    func error(_ message: String) {
        Self.terminal.write(stream: .stderr, "\(prefix) ! \(message)\n")
    }

    private static func split(_ buffer: inout [UInt8], adding bytes: [UInt8]) -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        guard let last = buffer.lastIndex(of: 0x0A) else { return [] }
        let complete = buffer[..<last].split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        buffer.removeSubrange(...last)
        return complete
    }

    /// Serializes writes so lines from different hosts never mix.
    final class Terminal: Sendable {
        private let lock = Mutex(())

        func write(stream: Stream, _ text: String) {
            lock.withLock { _ in
                (stream == .stdout ? StandardStream.output : StandardStream.error).write(text)
            }
        }
    }
}
