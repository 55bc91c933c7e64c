import Foundation
import RolloutJSON

/// One thing `rollout dev` reports: printed as a JSON line with `--output json` (for editors), and shown in the
/// terminal's status line otherwise. Fields that do not apply are absent.
public struct DevEvent: Encodable, Sendable, Equatable {
    public enum Kind: String, Encodable, Sendable {
        /// Watching; nothing to do (`files` watched directories count, in `watched`).
        case watching
        /// Changes settled: what changed and what follows (`action`: `build` or `reload`).
        case changed
        case buildStarted = "build.started"
        /// The build finished: `outcome` ok/failed, `exit_status`, `build_ms`, `output_tail` when it failed.
        case buildFinished = "build.finished"
        case restartStarted = "restart.started"
        /// The new generation serves (`outcome: ok`) or the previous one still does (`failed`, `reason`, `log_tail`).
        case restartFinished = "restart.finished"
        case reloadFinished = "reload.finished"
        /// The generation now serving: `generation`, `pid`, `ready_ms`.
        case serving
        /// A problem outside a build or a restart (the agent died, a watch could not be added).
        case error
        case stopped
    }

    public var event: Kind
    public var time: String
    public var paths: [String]?
    public var action: String?
    public var outcome: String?
    public var exitStatus: Int32?
    public var buildMs: Int?
    /// From the first change of the batch to the new generation serving (or the reload confirmed).
    public var changeToServingMs: Int?
    public var readyMs: Int?
    public var handoffMs: Int?
    public var generation: Int?
    public var pid: Int32?
    public var reason: String?
    public var outputTail: [String]?
    public var logTail: [String]?
    public var watched: Int?

    public init(_ event: Kind, time: Date = Date()) {
        self.event = event
        self.time = time.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    enum CodingKeys: String, CodingKey {
        case event, time, paths, action, outcome, generation, pid, reason, watched
        case exitStatus = "exit_status"
        case buildMs = "build_ms"
        case changeToServingMs = "change_to_serving_ms"
        case readyMs = "ready_ms"
        case handoffMs = "handoff_ms"
        case outputTail = "output_tail"
        case logTail = "log_tail"
    }

    /// One JSON line, keys sorted.
    public func jsonLine() -> String {
        (try? JSONValue.compactText(of: self)) ?? ""
    }
}
