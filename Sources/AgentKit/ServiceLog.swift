internal import CAgentSupport
import Glibc

/// One generation's stdout/stderr: the read end of its pipe, tagged line by line into the sink,
/// with the last lines kept for error reports. A log holder process keeps a second read end, so the
/// pipe outlives the agent (`startHolder`).
final class ServiceLog {
    /// -1 for an adopted generation whose pipe could not be taken over (its output is not read by the agent).
    let readFD: Int32
    let generation: Int
    var pid: pid_t = 0
    private let tailLimit: Int
    private(set) var tail: [String] = []
    private var partial: [UInt8] = []

    /// A new pipe: returns the log and the write end to give the child (close it after spawning).
    static func makePipe(generation: Int, tailLimit: Int) throws -> (ServiceLog, writeFD: Int32) {
        var fds: [Int32] = [0, 0]
        try syscall("pipe2") { cas_pipe_cloexec(&fds) }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        return (ServiceLog(readFD: fds[0], generation: generation, tailLimit: tailLimit), fds[1])
    }

    init(readFD: Int32, generation: Int, tailLimit: Int) {
        self.readFD = readFD
        self.generation = generation
        self.tailLimit = tailLimit
        if readFD >= 0 { _ = fcntl(readFD, F_SETFD, FD_CLOEXEC) }
    }

    /// Reads what is available; returns false at end of file.
    @discardableResult
    func drain(into sink: LogSink) -> Bool {
        guard readFD >= 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if n > 0 {
                consume(buffer[..<n], sink: sink)
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n == 0 {
                flushPartial(sink)
                return false
            }
            return true  // EAGAIN: nothing more now
        }
    }

    private func consume(_ bytes: ArraySlice<UInt8>, sink: LogSink) {
        partial += bytes
        while let newline = partial.firstIndex(of: 10) {
            emit(String(decoding: partial[..<newline], as: UTF8.self), sink: sink)
            partial.removeSubrange(...newline)
        }
        if partial.count > 65536 { flushPartial(sink) }  // a runaway line must not grow without bound
    }

    private func flushPartial(_ sink: LogSink) {
        guard !partial.isEmpty else { return }
        emit(String(decoding: partial, as: UTF8.self), sink: sink)
        partial = []
    }

    private func emit(_ line: String, sink: LogSink) {
        sink.write("\(MonotonicClock.wallTimestamp()) gen=\(generation) pid=\(pid) | \(line)\n")
        if tailLimit > 0 {
            tail.append(line)
            if tail.count > tailLimit { tail.removeFirst(tail.count - tailLimit) }
        }
    }

    /// Forks the second holder of the read end (see `cas_spawn_log_holder`): if the agent dies, it drains
    /// the pipe into `sink` (reopening its path), so the service never writes into a pipe nobody reads.
    /// Returns its pid, or nil (errno set) when the fork failed.
    func startHolder(sink: LogSink) -> pid_t? {
        let pid =
            if let path = sink.path {
                path.withCString { cas_spawn_log_holder(readFD, sink.fd, $0, Int32(generation), self.pid) }
            } else {
                cas_spawn_log_holder(readFD, sink.fd, nil, Int32(generation), pid)
            }
        return pid > 0 ? pid : nil
    }

    func close() {
        if readFD >= 0 { Glibc.close(readFD) }
    }
}
