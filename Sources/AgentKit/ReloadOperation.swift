import Glibc

/// A `reload-service` in progress: the signal went to one generation, and the agent waits for it to confirm.
///
/// At most one exists at a time, and never beside a restart, a stop or an agent upgrade: a reload is only
/// meaningful for a generation that serves steadily.
struct ReloadOperation {
    enum Phase {
        /// `notify`: waiting for `RELOADING=1`, then for `READY=1`.
        case awaitingReloading, awaitingReady
        /// `http`/`tcp`: probing from `nextProbe` on until one passes.
        case probing
        /// `delay`: confirmed when `confirmAt` passes with the process still running.
        case delaying
    }

    let generation: Int
    let pid: pid_t
    let signal: Int32
    let requestedMono: Int64
    let deadline: Int64
    var phase: Phase
    var requesters: [ControlConnection]
    var nextProbe: Int64?
    var probeInFlight = false
    var confirmAt: Int64?
    /// `ERRNO=` seen since the signal: the service rejected the new configuration.
    var errno: Int?
    var status: String?

    /// The moments the event loop must wake for.
    var deadlines: [Int64] { [deadline, nextProbe, confirmAt].compactMap { $0 } }
}
