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

/// A dedicated thread that runs one connection's blocking libssh2 calls, one job at a time.
///
/// libssh2 calls (even in non-blocking mode, with `poll`) must never run on Swift's cooperative pool, which has
/// one thread per core: twenty hosts waiting there would starve every other task. Each connection gets its own
/// thread; `run` bridges a job to `async` with a continuation. Between jobs the thread polls the descriptors of
/// registered ``SSHIdleWork`` (the tunnels of a bastion) and pumps them.
final class SSHExecutor: @unchecked Sendable {
    private let lock = NSLock()
    private var jobs: [() -> Void] = []
    private var finished = false
    /// Only touched on the executor thread.
    private var idleWork: [SSHIdleWork] = []
    /// A self-pipe: writing to `wakeWrite` interrupts the idle `poll` when a job arrives.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init(name: String) {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fatalError("pipe() failed for the SSH executor: errno \(errno)") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        (wakeRead, wakeWrite) = (fds[0], fds[1])
        // Name the OS thread (visible in ps, gdb, /proc) for diagnosis; Foundation's Thread.name does not reach
        // the kernel on Linux, and pthread_setname_np is not imported, so write the comm file. The kernel keeps
        // 15 bytes.
        let shortName = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        let thread = Thread { [self] in
            try? shortName.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            loop()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Runs `body` on the executor thread and returns its result. Cancelling the calling task sets the flag
    /// `body` receives; waits that watch it (``SSHSession/cancellation``) then end with `.cancelled`.
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
        let accepted = lock.withLock { () -> Bool in
            guard !finished else { return false }
            jobs.append(job)
            return true
        }
        if accepted { signal() }
        return accepted
    }

    /// Registers idle work; call on the executor thread.
    func addIdleWork(_ work: SSHIdleWork) { idleWork.append(work) }

    /// Runs `last` as the final job, then ends the thread. Later jobs are refused.
    func shutdown(_ last: @escaping () -> Void) {
        lock.withLock {
            jobs.append { [self] in
                last()
                idleWork.removeAll()
            }
            finished = true
        }
        signal()
    }

    /// Whether idle work (tunnels) is registered; call on the executor thread.
    var hasIdleWork: Bool { !idleWork.isEmpty }

    /// The descriptors the idle work waits on; call on the executor thread.
    func idleDescriptors() -> [pollfd] { idleWork.flatMap { $0.pollDescriptors() } }

    /// Pumps the idle work until nothing moves (one tunnel's read can queue data for another); call on the
    /// executor thread, between jobs or from a job that is waiting for the server (``SSHSession/wait``).
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

    private func signal() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func loop() {
        while true {
            let (job, done) = lock.withLock { () -> ((() -> Void)?, Bool) in
                if jobs.isEmpty { return (nil, finished) }
                return (jobs.removeFirst(), false)
            }
            if let job {
                job()
                continue
            }
            if done { return }
            // Pump before polling too: a job may have pulled a tunnel's data into libssh2's queue, where poll
            // cannot see it.
            pumpIdleWork()
            if lock.withLock({ !jobs.isEmpty || finished }) { continue }
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            for work in idleWork { fds += work.pollDescriptors() }
            _ = poll(&fds, nfds_t(fds.count), idleWork.isEmpty ? -1 : 500)
            var drain = [UInt8](repeating: 0, count: 64)
            while read(wakeRead, &drain, drain.count) > 0 {}
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
