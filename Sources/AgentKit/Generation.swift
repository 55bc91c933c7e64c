import Foundation
import Glibc

/// One started instance of the service: a child process in its own process group.
final class Generation {
    enum State: String, Codable {
        /// Started, not ready yet; the previous generation (if any) still serves alone.
        case starting
        /// Ready and serving.
        case ready
        /// Asked to stop (drain); killed at `killDeadline`.
        case draining
    }

    let number: Int
    let pid: pid_t
    let release: String?
    let version: String?
    var state: State
    /// Wall-clock start for status, and the monotonic start for durations.
    let startedWall: Date
    let startedMono: Int64
    var readyMono: Int64?
    var readyMilliseconds: Int?
    /// The listener fds it was given (kept open by the agent while it runs).
    let listenerFDs: [Int32]
    var notify: NotifySocket?
    let log: ServiceLog
    /// Readiness: the deadline, and for probes the next attempt and whether one is in flight.
    var readyDeadline: Int64?
    var nextProbe: Int64?
    var probeInFlight = false
    /// Draining: when it gets SIGKILL.
    var killDeadline: Int64?
    var drainStartedMono: Int64?
    var killedAfterDrain = false
    /// Set when the agent killed it before it was ready (deadline, stop): the reason to report.
    var failureReason: String?
    /// The last `STATUS=` it sent.
    var statusText: String?
    /// The process holding a second read end of its log pipe (`ServiceLog.startHolder`).
    var logHolder: ProcessIdentity?
    /// Set when a new agent took it over from a dead one: not our child, so its exit is seen through `pidFD`
    /// (readable when it ends) and its exit status is unknown.
    var pidFD: Int32?
    var adopted = false
    /// Its start time, read once (the takeover record names it by pid and start time).
    lazy var identity: ProcessIdentity? = ProcessIdentity.current(pid)

    init(
        number: Int, pid: pid_t, release: String?, version: String?, state: State, startedWall: Date,
        startedMono: Int64, listenerFDs: [Int32], notify: NotifySocket?, log: ServiceLog
    ) {
        self.number = number
        self.pid = pid
        self.release = release
        self.version = version
        self.state = state
        self.startedWall = startedWall
        self.startedMono = startedMono
        self.listenerFDs = listenerFDs
        self.notify = notify
        self.log = log
        log.pid = pid
    }

    /// Signals the whole process group (the generation is a session leader, so pgid == pid).
    func signalGroup(_ signal: Int32) {
        if kill(-pid, signal) < 0 { kill(pid, signal) }
    }

    /// True when `sender` may speak for this generation: the main process or one in its group.
    func accepts(sender: pid_t) -> Bool {
        sender == pid || (sender > 0 && getpgid(sender) == pid)
    }
}
