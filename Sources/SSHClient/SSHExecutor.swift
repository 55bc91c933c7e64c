import Foundation

/// Work the executor does while it has no job: move bytes of tunnels whose descriptors it polls.
protocol SSHIdleWork: AnyObject {
    /// Descriptors to poll while idle.
    func pollDescriptors() -> [pollfd]
    /// Moves whatever can move without blocking. Must not return while libssh2 holds a half-sent packet of its
    /// own: libssh2 keeps one pending outbound packet per session and answers every other sender with EAGAIN
    /// until its owner resends it, so a job (or another tunnel) would spin until its deadline.
    func pump() -> SSHIdleProgress
}

enum SSHIdleProgress {
    case finished, progressed, idle
}

/// Runs one connection's blocking libssh2 calls, one job at a time, in order, on a thread lent by
/// ``SSHThreadPool`` while it has jobs.
///
/// `run` bridges a job to `async` with a continuation. A connection with registered ``SSHIdleWork`` (a bastion
/// carrying tunnels) keeps its thread while the work lasts: between jobs the thread polls the tunnels'
/// descriptors and pumps them, and a self-pipe, made with the first idle work, interrupts that poll when a job
/// arrives. Other connections hold no thread and no descriptor but their socket between jobs.
final class SSHExecutor: @unchecked Sendable {
    /// `ssh <host>`: the name of the thread while it runs this executor's jobs.
    let name: String
    private let lock = NSLock()
    private var jobs: [() -> Void] = []
    private var finished = false
    /// Whether a pool thread has been asked to drain the queue and has not given it back yet.
    private var scheduled = false
    /// The self-pipe that wakes the idle poll (read end, write end); made with the first idle work.
    private var wake: (read: Int32, write: Int32)?
    /// Only touched on the thread draining the executor.
    private var idleWork: [SSHIdleWork] = []

    init(name: String) {
        self.name = name
    }

    deinit {
        if let wake {
            close(wake.read)
            close(wake.write)
        }
    }

    /// Runs `body` on a pool thread, after the jobs queued before it, and returns its result. Cancelling the
    /// calling task sets the flag `body` receives; waits that watch it (``SSHSession/cancellation``) then end
    /// with `.cancelled`.
    func run<T: Sendable>(_ body: @escaping @Sendable (SSHCancellation) throws -> T) async throws -> T {
        let cancellation = SSHCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let accepted = enqueue { continuation.resume(with: Result { try body(cancellation) }) }
                if !accepted {
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// Queues `job`; false when the executor has already shut down.
    @discardableResult
    func enqueue(_ job: @escaping () -> Void) -> Bool {
        append(job, last: false)
    }

    /// Registers idle work; call from a job.
    func addIdleWork(_ work: SSHIdleWork) {
        idleWork.append(work)
        if lock.withLock({ wake }) != nil { return }
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fatalError("pipe() failed for the SSH executor: errno \(errno)") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        lock.withLock { wake = (fds[0], fds[1]) }
    }

    /// Runs `last` as the final job; later jobs are refused. Until it has run, the process's exit waits for it
    /// (a little while): it frees libssh2 and OpenSSL state.
    func shutdown(_ last: @escaping () -> Void) {
        SSHThreadPool.shared.teardownQueued()
        let job = { [self] in
            last()
            idleWork.removeAll()
            SSHThreadPool.shared.teardownDone()
        }
        let accepted = append(job, last: true)
        if !accepted { SSHThreadPool.shared.teardownDone() }
    }

    private func append(_ job: @escaping () -> Void, last: Bool) -> Bool {
        let (accepted, schedule, wakeWrite) = lock.withLock { () -> (Bool, Bool, Int32?) in
            guard !finished else { return (false, false, nil) }
            jobs.append(job)
            finished = last
            if scheduled { return (true, false, wake?.write) }
            scheduled = true
            return (true, true, nil)
        }
        if schedule {
            SSHThreadPool.shared.schedule(self)
        } else if let wakeWrite {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
        return accepted
    }

    /// Whether idle work (tunnels) is registered; call from a job.
    var hasIdleWork: Bool { !idleWork.isEmpty }

    /// The descriptors the idle work waits on; call from a job.
    func idleDescriptors() -> [pollfd] { idleWork.flatMap { $0.pollDescriptors() } }

    /// Pumps the idle work until nothing moves (one tunnel's read can queue data for another); call between jobs
    /// or from a job that is waiting for the server (``SSHSession/wait``).
    func pumpIdleWork() {
        for _ in 0..<16 {
            var moved = false
            idleWork.removeAll { work in
                switch work.pump() {
                case .finished: return true
                case .progressed: moved = true
                case .idle: break
                }
                return false
            }
            if !moved { break }
        }
    }

    private enum Next {
        case job(() -> Void)
        case idle
        case done
    }

    /// Takes the next job; with none, either keeps the thread for the idle work or gives it back.
    private func next() -> Next {
        lock.withLock {
            if !jobs.isEmpty { return .job(jobs.removeFirst()) }
            if idleWork.isEmpty {
                scheduled = false
                return .done
            }
            return .idle
        }
    }

    /// Runs the queued jobs on the calling pool thread until the queue is empty and no idle work is left.
    func drain() {
        while true {
            switch next() {
            case .job(let job):
                job()
            case .done:
                return
            case .idle:
                // Pump before polling too: a job may have pulled a tunnel's data into libssh2's queue, where poll
                // cannot see it.
                pumpIdleWork()
                guard let wake = lock.withLock({ jobs.isEmpty ? wake : nil }), !idleWork.isEmpty else {
                    continue
                }
                var fds = [pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)] + idleDescriptors()
                _ = poll(&fds, nfds_t(fds.count), 500)
                var sink = [UInt8](repeating: 0, count: 64)
                while read(wake.read, &sink, sink.count) > 0 {}
            }
        }
    }
}

/// Set when the task waiting for an executor job is cancelled.
final class SSHCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    func cancel() { lock.withLock { cancelled = true } }
    var isCancelled: Bool { lock.withLock { cancelled } }
}
