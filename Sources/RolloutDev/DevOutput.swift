import Foundation
import Glibc

/// Where `rollout dev` reports: JSON lines on stdout (`--output json`, for editors), or a terminal status line that is
/// redrawn in place on a TTY (and plain lines for notable events otherwise). The agent's and the service's own
/// lines go to stderr as they come, clearing the status line first.
public final class DevOutput {
    public enum Format: Sendable {
        case text
        case json
    }

    let format: Format
    let statusLine: Bool
    private var shown = false

    public init(format: Format) {
        self.format = format
        statusLine = format == .text && isatty(1) == 1
    }

    /// Reports `event`; in text mode also prints a line for those a person needs to read.
    func report(_ event: DevEvent, status: DevStatus, now: Int64) {
        switch format {
        case .json:
            write(1, event.jsonLine() + "\n")
        case .text:
            if let text = Self.text(for: event) {
                clear()
                write(1, text + "\n")
            }
            draw(status, now: now)
        }
    }

    /// Redraws the status line (a TTY only).
    func draw(_ status: DevStatus, now: Int64) {
        guard statusLine else { return }
        write(1, "\r\u{1b}[K" + status.line(now: now))
        shown = true
    }

    /// A line of the agent's (or the service's) output.
    func passthrough(_ line: String, status: DevStatus, now: Int64) {
        clear()
        write(2, line + "\n")
        draw(status, now: now)
    }

    func finish() {
        clear()
    }

    private func clear() {
        guard shown else { return }
        write(1, "\r\u{1b}[K")
        shown = false
    }

    private func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }  // a reader that went away: nothing more to say
            bytes = bytes.dropFirst(n)
        }
    }

    /// The plain line for an event, or nil for those only the status line shows.
    static func text(for event: DevEvent) -> String? {
        let tail = { (lines: [String]?) in (lines ?? []).map { "  | " + $0 }.joined(separator: "\n") }
        switch event.event {
        case .watching:
            return "rollout dev: watching \(event.watched ?? 0) directories"
        case .changed:
            let paths = event.paths ?? []
            let shown =
                paths.prefix(3).joined(separator: ", ") + (paths.count > 3 ? " and \(paths.count - 3) more" : "")
            return "changed: \(shown) -> \(event.action ?? "")"
        case .buildFinished where event.outcome != "ok":
            return "build failed (\(event.reason ?? "exit status \(event.exitStatus ?? -1)")); the previous "
                + "generation keeps serving\n" + tail(event.outputTail)
        case .buildFinished:
            return "built in \(event.buildMs ?? 0) ms"
        case .restartFinished where event.outcome != "ok":
            return "restart failed: \(event.reason ?? "")\n" + tail(event.logTail)
        case .reloadFinished:
            return event.outcome == "ok"
                ? "reloaded generation \(event.generation ?? 0) (pid \(event.pid ?? 0)) in \(event.changeToServingMs ?? 0) ms"
                : "reload failed: \(event.reason ?? "")\n" + tail(event.logTail)
        case .serving:
            return "serving generation \(event.generation ?? 0) (pid \(event.pid ?? 0), ready \(event.readyMs ?? 0) ms"
                + (event.changeToServingMs.map { ", \($0) ms after the change" } ?? "") + ")"
        case .error:
            return "error: \(event.reason ?? "")"
        case .stopped:
            return "stopped"
        case .buildStarted, .restartStarted, .restartFinished:
            return nil
        }
    }
}
