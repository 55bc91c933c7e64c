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

    /// How the old generation makes way for the new one.
    enum Mode: String {
        /// The new generation starts beside the old one, which drains once the new one is ready.
        case hot
        /// The old generation stops first; the new one starts on the same sockets once it has exited
        /// (connections arriving in between wait in the listen backlog the agent keeps open).
        case cold
    }

    /// What a cold restart keeps of a new release that failed, once the previous release starts again.
    struct FailedStart {
        var reason: String
        var generation: Int?
        var pid: pid_t?
        var release: String?
        var version: String?
        var logTail: [String]?
    }

    let trigger: Trigger
    let mode: Mode
    /// The new generation's number and pid; nil while a cold restart waits for the old one to exit.
    /// After a failed cold start: the generation running the previous release again.
    var generation: Int?
    var newPid: pid_t?
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
    /// Cold: the old generation was told to stop and has not exited yet.
    var stoppingOld = false
    /// Cold: the release the old generation ran, started again when the new one fails.
    var oldRelease: String?
    /// Cold: from the request (the stop signal) to the old generation's exit, and to the new one's spawn.
    var oldStopMs: Int?
    var newStartMs: Int?
    /// Cold: set once the new release failed and the previous release is starting in its place.
    var failedStart: FailedStart?

    init(
        trigger: Trigger, mode: Mode, generation: Int?, newPid: pid_t?, oldGeneration: Int?, oldPid: pid_t?,
        requestedMono: Int64, requesters: [ControlConnection]
    ) {
        self.trigger = trigger
        self.mode = mode
        self.generation = generation
        self.newPid = newPid
        self.oldGeneration = oldGeneration
        self.oldPid = oldPid
        self.requestedMono = requestedMono
        self.requesters = requesters
    }

    /// What the operation is doing, for refusals: `cold restart: stopping generation 3`.
    var summary: String {
        let generationText = generation.map { "generation \($0)" } ?? "the new generation"
        if stoppingOld { return "\(mode.rawValue) restart: stopping generation \(oldGeneration ?? 0)" }
        if drainingOld { return "\(mode.rawValue) restart: draining generation \(oldGeneration ?? 0)" }
        return "\(mode.rawValue) restart: starting \(generationText)"
    }
}
