import Glibc

/// A failed system call: the call's name and its errno, rendered the way `strerror` does.
struct SystemCallError: Error, CustomStringConvertible {
    let call: String
    let errno: Int32

    var description: String { "\(call): \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// Runs a system call, retrying on `EINTR`, and turns `-1` into a thrown `SystemCallError`.
@discardableResult
func sys<T: BinaryInteger>(_ call: String, _ body: () -> T) throws -> T {
    while true {
        let rc = body()
        if rc != -1 { return rc }
        if errno == EINTR { continue }
        throw SystemCallError(call: call, errno: errno)
    }
}

/// Marks `fd` close-on-exec, so a service that spawns helpers does not leak its sockets to them.
func setCloseOnExec(_ fd: Int32) throws {
    let flags = try sys("fcntl(F_GETFD)") { fcntl(fd, F_GETFD) }
    try sys("fcntl(F_SETFD)") { fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
}

/// Puts `fd` in non-blocking mode (`O_NONBLOCK` on its open file description).
func setNonBlocking(_ fd: Int32) throws {
    let flags = try sys("fcntl(F_GETFL)") { fcntl(fd, F_GETFL) }
    try sys("fcntl(F_SETFL)") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
}

/// Milliseconds on the monotonic clock, for deadlines that must not jump with the wall clock.
func monotonicMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// Sleeps `milliseconds`, resuming after signals interrupt the sleep.
func sleepMilliseconds(_ milliseconds: Int) {
    guard milliseconds > 0 else { return }
    var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
}

/// Writes one line to standard error, prefixed with the program name and pid like syslog does.
func log(_ message: String) {
    let line = "rollout-demo-service[\(getpid())]: \(message)\n"
    _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
}

private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Starts a detached POSIX thread running `body`.
///
/// Plain threads rather than Dispatch or Swift concurrency: every connection blocks in its own
/// `poll`/`recv`, and the signal mask set in `main` before this call is inherited, which is what
/// makes `sigwait` on the signal thread the only place signals are delivered.
func startThread(_ body: @escaping @Sendable () -> Void) throws {
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    pthread_attr_setstacksize(&attributes, 256 * 1024)
    let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(
        &thread, &attributes,
        { argument in
            Unmanaged<ThreadBody>.fromOpaque(argument!).takeRetainedValue().run()
            return nil
        }, box)
    if rc != 0 {
        Unmanaged<ThreadBody>.fromOpaque(box).release()
        throw SystemCallError(call: "pthread_create", errno: rc)
    }
}
