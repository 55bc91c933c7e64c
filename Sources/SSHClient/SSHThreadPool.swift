import Foundation

/// The threads that run libssh2 work for every connection of the process.
///
/// libssh2 calls (even in non-blocking mode, with `poll`) must never run on Swift's cooperative pool, which has
/// one thread per core: twenty hosts waiting there would starve every other task. So they run on these
/// dedicated threads, but a connection does not own one: a thread is lent to a connection's ``SSHExecutor``
/// while it has jobs and comes back when its queue is empty. The process then has as many threads as operations
/// in flight (a rollout's window, `exec`'s `--forks`), not one per connection: 10,000 open connections between
/// two steps hold none.
///
/// The pool grows when every thread is busy and never shrinks: a thread that exits runs OpenSSL's per-thread
/// clean-up, which can race the process's exit handlers (seen as a crash in libcrypto after the last host was
/// done), and a parked thread costs only its stack's resident pages.
final class SSHThreadPool: @unchecked Sendable {
    static let shared = SSHThreadPool()

    private let condition = NSCondition()
    private var ready: [SSHExecutor] = []
    private var waiting = 0
    private var threads = 0
    /// Guards `teardowns`; separate from `condition`, whose signals must reach a worker, not an exiting process.
    private let teardownCondition = NSCondition()
    /// Connections whose last job (their teardown) has been queued but has not run yet.
    private var teardowns = 0

    /// Lends a thread to `executor` until its queue is empty. Called once per time its queue goes from empty to
    /// not empty.
    func schedule(_ executor: SSHExecutor) {
        condition.lock()
        ready.append(executor)
        let start = waiting < ready.count
        if start { threads += 1 } else { condition.signal() }
        let number = threads
        condition.unlock()
        if start { spawn(number) }
    }

    func teardownQueued() { teardownCondition.withLock { teardowns += 1 } }

    func teardownDone() {
        teardownCondition.withLock {
            teardowns -= 1
            if teardowns == 0 { teardownCondition.broadcast() }
        }
    }

    /// Waits until every queued teardown has run, at most until `deadline`: the process calls it on exit, before
    /// OpenSSL's exit handler frees what a teardown still uses (see ``SSHSession``'s `atexit`).
    func waitForTeardowns(until deadline: Date) {
        teardownCondition.lock()
        while teardowns > 0 && teardownCondition.wait(until: deadline) {}
        teardownCondition.unlock()
    }

    private func spawn(_ number: Int) {
        let thread = Thread { [self] in work() }
        thread.name = "ssh pool \(number)"
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func work() {
        var namedIdle = false
        while true {
            condition.lock()
            if ready.isEmpty && !namedIdle {
                condition.unlock()
                Self.nameThread("ssh idle")
                namedIdle = true
                continue
            }
            waiting += 1
            while ready.isEmpty { condition.wait() }
            waiting -= 1
            let executor = ready.removeFirst()
            condition.unlock()
            namedIdle = false
            Self.nameThread(executor.name)
            executor.drain()
        }
    }

    /// Names the OS thread (visible in ps, gdb, /proc) after the host it serves, for diagnosis; Foundation's
    /// Thread.name does not reach the kernel on Linux, and pthread_setname_np is not imported. The kernel keeps
    /// 15 bytes.
    private static func nameThread(_ name: String) {
        let short = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        try? short.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
    }
}
