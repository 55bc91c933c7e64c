import Glibc

/// A start of a new generation in progress, and who waits for its result.
///
/// At most one exists at a time: a second restart request is refused, never queued.
struct RestartOperation {
    enum Trigger: String {
        /// The agent's first start, or the first after an idle `never` policy.
        case initial
        /// `ctl restart` or SIGUSR2.
        case request
        /// An automatic restart after the running service crashed.
        case crash
    }

    let trigger: Trigger
    /// The new generation's number and pid.
    let generation: Int
    let newPid: pid_t
    /// The generation serving when the restart began (nil when none was).
    let oldGeneration: Int?
    let oldPid: pid_t?
    let requestedMono: Int64
    var requesters: [ControlConnection]
    /// Once the new generation is ready: the old one being drained (the operation ends when it exits).
    var drainingOld: Bool = false
    var readyMs: Int?
    var drainStartedMono: Int64?
    /// The old generation outlived the drain deadline and got SIGKILL.
    var oldKilled = false
}
