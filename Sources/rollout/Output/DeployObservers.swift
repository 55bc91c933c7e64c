import Foundation
import RolloutEngine
import RolloutJSON
import RolloutModel
import RolloutStore

/// `--output json`: one JSON object per line on stdout, written at once (`event`, `time`, then the fields); a
/// reader that goes away stops the output, never the rollout (``StandardStream``).
struct JSONLinesObserver: DeployObserver {
    private static let lock = NSLock()

    func event(_ event: DeployEvent) {
        var fields: [String: JSONValue] = ["time": .string(JournalTime.string(from: Date()))]
        func put(_ key: String, _ value: String?) { fields[key] = value.map(JSONValue.string) ?? .null }
        switch event {
        case .rolloutStarted(let id, let inventory, let playbook, let version, let previous, let hosts, let batches):
            put("event", "rollout_started")
            fields["id"] = .int(id)
            put("inventory", inventory)
            put("playbook", playbook)
            put("version", version)
            put("previous_version", previous)
            fields["hosts"] = .int(Int64(hosts))
            fields["batches"] = .int(Int64(batches))
        case .batchStarted(let index, let kind, let hosts):
            put("event", "batch_started")
            fields["batch"] = .int(Int64(index))
            put("kind", kind)
            fields["hosts"] = .array(hosts.map(JSONValue.string))
        case .phaseStarted(let host, let phase):
            put("event", "phase_started")
            put("host", host)
            put("phase", phase.rawValue)
        case .phaseFinished(let host, let phase, let outcome, let error, let ms):
            put("event", "phase_finished")
            put("host", host)
            put("phase", phase.rawValue)
            put("status", outcome.rawValue)
            put("error", error)
            fields["duration_ms"] = .int(Int64(ms.rounded()))
        case .hostFinished(let host, let status, let error, let ms):
            put("event", "host_finished")
            put("host", host)
            put("status", status.rawValue)
            put("error", error)
            fields["duration_ms"] = .int(Int64(ms.rounded()))
        case .rolloutFinished(let id, let status, let code, let error):
            put("event", "rollout_finished")
            fields["id"] = .int(id)
            put("status", status.rawValue)
            fields["exit_code"] = .int(Int64(code))
            put("error", error)
        case .note(let message):
            put("event", "note")
            put("message", message)
        }
        guard let line = try? JSONValue.object(fields).compactText() else { return }
        Self.lock.withLock { StandardStream.output.write(line + "\n") }
    }
}

/// `--output text`: one line per phase and host, each with the time since the rollout started; on a terminal
/// the in-flight hosts are summarized on a status line that is redrawn in place. A reader that goes away stops the
/// output, never the rollout (``StandardStream``).
final class TextObserver: DeployObserver, @unchecked Sendable {
    private let lock = NSLock()
    private let terminal: Bool
    private let start = ContinuousClock.now
    private var inFlight: [String: Phase] = [:]
    private var batch = ""

    init(terminal: Bool) {
        self.terminal = terminal
    }

    func event(_ event: DeployEvent) {
        lock.withLock {
            switch event {
            case .rolloutStarted(let id, let inventory, _, let version, let previous, let hosts, let batches):
                line(
                    "rollout \(id): \(inventory) \(previous ?? "(none)") -> \(version), \(hosts) hosts in \(batches) batches"
                )
            case .batchStarted(let index, let kind, let hosts):
                batch = "batch \(index)"
                line("batch \(index) (\(kind)): \(hosts.joined(separator: ", "))")
            case .phaseStarted(let host, let phase):
                inFlight[host] = phase
            case .phaseFinished(let host, let phase, let outcome, let error, let ms):
                if outcome != .ok || terminal == false {
                    line("  \(host) \(phase) \(outcome.rawValue) \(Int(ms))ms" + (error.map { ": \($0)" } ?? ""))
                }
            case .hostFinished(let host, let status, let error, let ms):
                inFlight[host] = nil
                line(
                    "  \(host) \(status.rawValue) (\(String(format: "%.1f", ms / 1000))s)"
                        + (error.map { ": \($0)" } ?? ""))
            case .rolloutFinished(let id, let status, let code, let error):
                line("rollout \(id) \(status.rawValue) (exit \(code))" + (error.map { ": \($0)" } ?? ""))
            case .note(let message):
                line(message)
            }
            if terminal { statusLine() }
        }
    }

    private var elapsed: String {
        let seconds = Double((ContinuousClock.now - start).components.seconds)
        return String(format: "[%3.0fs]", seconds)
    }

    private func line(_ text: String) {
        let clear = terminal ? "\r\u{1B}[K" : ""
        StandardStream.output.write("\(clear)\(elapsed) \(text)\n")
    }

    private func statusLine() {
        guard !inFlight.isEmpty else { return }
        let hosts = inFlight.sorted { $0.key < $1.key }.prefix(6).map { "\($0.key):\($0.value)" }.joined(separator: " ")
        StandardStream.output.write("\r\u{1B}[K\(elapsed) \(batch) \(hosts)")
    }
}

/// `--junit FILE`: one test case per host (its phases in the system-out), failures with their error.
final class JUnitObserver: DeployObserver, @unchecked Sendable {
    let path: String
    private let lock = NSLock()
    private var cases: [(host: String, status: HostStatus, error: String?, seconds: Double)] = []
    private var phases: [String: [String]] = [:]
    private var suite = "rollout"

    init(path: String) {
        self.path = path
    }

    func event(_ event: DeployEvent) {
        lock.withLock {
            switch event {
            case .rolloutStarted(let id, let inventory, _, let version, _, _, _):
                suite = "rollout \(id) \(inventory) \(version)"
            case .phaseFinished(let host, let phase, let outcome, _, let ms):
                phases[host, default: []].append("\(phase) \(outcome.rawValue) \(Int(ms))ms")
            case .hostFinished(let host, let status, let error, let ms):
                cases.append((host, status, error, ms / 1000))
            default:
                break
            }
        }
    }

    func write() throws {
        let (cases, phases, suite) = lock.withLock { (self.cases, self.phases, self.suite) }
        let failures = cases.filter { !$0.status.isOK && $0.status != .skipped }.count
        let skipped = cases.filter { $0.status == .skipped }.count
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml +=
            "<testsuite name=\"\(escape(suite))\" tests=\"\(cases.count)\" failures=\"\(failures)\" skipped=\"\(skipped)\">\n"
        for item in cases {
            xml +=
                "  <testcase classname=\"rollout\" name=\"\(escape(item.host))\" time=\"\(String(format: "%.3f", item.seconds))\">\n"
            if item.status == .skipped {
                xml += "    <skipped/>\n"
            } else if !item.status.isOK {
                xml +=
                    "    <failure type=\"\(item.status.rawValue)\" message=\"\(escape(item.error ?? item.status.rawValue))\"/>\n"
            }
            xml += "    <system-out>\(escape((phases[item.host] ?? []).joined(separator: "\n")))</system-out>\n"
            xml += "  </testcase>\n"
        }
        xml += "</testsuite>\n"
        try xml.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
