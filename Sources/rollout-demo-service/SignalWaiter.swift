import Glibc

/// Receives SIGTERM, SIGINT and SIGHUP synchronously on one dedicated thread.
///
/// `blockSignals()` must run on the main thread before any other thread starts: threads inherit
/// the mask, so `sigwait` on the signal thread becomes the only receiver and no handler ever runs
/// in async-signal context. Dispositions are reset to default first because a parent may have
/// set them to `SIG_IGN` (an ignored signal is discarded before `sigwait` could see it on some
/// systems), and SIGPIPE is ignored because a client that hangs up must not kill the service
/// (sockets are written with MSG_NOSIGNAL anyway) unless `defaultPipeAction` asks for the default
/// action, which `--log-every` does: a write to an unread stdout then kills the service.
enum SignalWaiter {
    static let handled: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    static func blockSignals(defaultPipeAction: Bool = false) {
        signal(SIGPIPE, defaultPipeAction ? SIG_DFL : SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        for signo in handled {
            signal(signo, SIG_DFL)
            sigaddset(&set, signo)
        }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Starts the thread that calls `onSignal` for every handled signal, one at a time.
    static func start(_ onSignal: @escaping @Sendable (Int32) -> Void) throws {
        try startThread {
            var set = sigset_t()
            sigemptyset(&set)
            for signo in handled { sigaddset(&set, signo) }
            while true {
                var signo: Int32 = 0
                if sigwait(&set, &signo) == 0 { onSignal(signo) }
            }
        }
    }
}
