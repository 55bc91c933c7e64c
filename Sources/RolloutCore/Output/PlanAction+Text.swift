import RolloutConfig
import RolloutText

// The lines of a host's steps in `Plan.text`. Every host of a 10,000-host plan goes through here, so each line is
// written piece by piece straight into the output buffer, with no string made per line or per argument.

/// Writes one step's lines: two spaces, the phase's label on the step's first line (blanks of its width after),
/// a space, then the line's text.
struct StepTextLines {
    let out: OutputBuffer
    /// The host whose plan this is: commands running elsewhere say `[on X]`.
    let host: String
    private let label: String
    private var first = true

    init(_ out: OutputBuffer, host: String, label: String) {
        self.out = out
        self.host = host
        self.label = label
    }

    /// Starts a line; the caller writes its text and calls `end()`.
    mutating func start() {
        out.write("  ")
        out.write(first ? label : "         ")
        out.write(byte: UInt8(ascii: " "))
        first = false
    }

    func end() { out.write(byte: UInt8(ascii: "\n")) }

    /// A line of `text`.
    mutating func line(_ text: String) {
        start()
        out.write(text)
        end()
    }

    /// A line showing `command`, then `suffix`.
    mutating func line(_ command: PlannedCommand, indent: String = "", suffix: String = "") {
        start()
        out.write(indent)
        command.writeTextLine(host: host, to: out)
        out.write(suffix)
        end()
    }
}

extension PlannedCommand {
    /// `$ line`, with `[on X]` when it does not run on `host`, plus stdin and a timeout when set.
    func textLine(host: String?) -> String {
        let out = OutputBuffer()
        writeTextLine(host: host, to: out)
        return out.text
    }

    /// `textLine` written into `out`.
    func writeTextLine(host: String?, to out: OutputBuffer) {
        if on != host {
            out.write("[on ")
            out.write(on)
            out.write("] ")
        }
        out.write("$ ")
        ShellQuote.write(line: argv, to: out)
        if let stdin {
            out.write(" <<< ")
            ShellQuote.write(stdin.hasSuffix("\n") ? stdin.dropLast() : stdin[...], to: out)
        }
        if let timeout {
            out.write("  (timeout ")
            out.write(format(timeout))
            out.write(")")
        }
        if mayFail { out.write("  (may fail)") }
    }
}

extension PlanAction {
    /// The action's lines (a `run` action is one line: its hook, if any, and its command).
    func writeText(to lines: inout StepTextLines) {
        let out = lines.out
        switch self {
        case .run(let command, let hook):
            lines.start()
            if let hook {
                out.write(hook.rawValue)
                out.write(" hook: ")
            }
            command.writeTextLine(host: lines.host, to: out)
            lines.end()
        case .upload(let u):
            for command in u.begin { lines.line(command) }
            lines.start()
            out.write("upload ")
            out.write(u.source)
            out.write(" -> ")
            out.write(u.destination)
            out.write(" (sha256 ")
            out.write(u.sha256.prefix(12))
            out.write("…, timeout ")
            out.write(format(u.timeout))
            out.write(")")
            lines.end()
            if let verify = u.verify { lines.line(verify, suffix: "  (must print \(u.sha256.prefix(12))…)") }
            lines.line(u.finish, suffix: "  (skipped when \(u.release) exists)")
        case .gateway(let step):
            lines.line(step.headline)
            // The relay is one long command line: shown in full once, in the drain step, then named.
            if step.operation == .drain, let relay = step.calls.lazy.compactMap(\.relayCommand).first {
                lines.line(relay, indent: "  relay = ")
            }
            for call in step.calls { call.writeText(to: &lines) }
        case .waitDrained(let status, let count, let deadline, let poll, let onTimeout):
            let every = status.isEmpty ? "" : ", reading every \(format(poll)):"
            guard count != nil else {
                // Nothing counts connections: the whole deadline is the drain (reads still catch a host put back).
                lines.line("the gateway cannot count connections: wait the full \(format(deadline))\(every)")
                for call in status { call.writeText(to: &lines) }
                lines.line("then restart")
                return
            }
            lines.line("wait until no active connection, at most \(format(deadline))\(every)")
            for call in status { call.writeText(to: &lines) }
            lines.line("at the deadline with connections left: \(onTimeout.planText)")
        case .health(let check):
            lines.start()
            check.writeTextLine(host: lines.host, to: out)
            lines.end()
        case .pruneReleases(let list, let keep):
            lines.line(list, suffix: "; delete all but the \(keep) newest (never current or previous)")
        case .uploadConfig(let files):
            for file in files {
                lines.line(
                    "upload \(file.source) (\(file.kind), \(file.content.count) bytes, sha256 "
                        + "\(file.sha256.prefix(12))…) -> \(file.temporary) mode \(file.modeText), "
                        + "checked by sha256sum")
            }
        case .switchConfig(let files):
            for file in files {
                for command in ConfigCommands.switchFile(file) { lines.line(command) }
            }
            lines.line("(on a failed reload: restore every backup, then reload again)")
        }
    }
}

extension GatewayStep {
    /// What the step does, before its calls.
    var headline: String {
        switch operation {
        case .drain: return "gateway \(kind): drain"
        case .restore: return "gateway \(kind): restore"
        case .recheckDrained:
            return "gateway \(kind): re-check the drain (a reload may have undone it); back in rotation: drain "
                + "again and wait again"
        case .recheckRestored: return "gateway \(kind): re-check the restore; not in rotation: restore again"
        }
    }
}

extension GatewayCall {
    /// The call's line, indented under its step's headline.
    func writeText(to lines: inout StepTextLines) {
        let out = lines.out
        lines.start()
        out.write("  ")
        switch self {
        case .run(let command, let purpose):
            command.writeTextLine(host: lines.host, to: out)
            out.write("  # ")
            out.write(purpose)
        case .socket(let endpoint, let request, let purpose):
            out.write("[on controller] admin socket ")
            out.write(endpoint)
            out.write(" <<< ")
            ShellQuote.write(request, to: out)
            out.write("  # ")
            out.write(purpose)
        case .relay(let on, let endpoint, let request, let purpose):
            out.write("[on ")
            out.write(on)
            out.write("] $ relay to ")
            out.write(endpoint)
            out.write(" <<< ")
            ShellQuote.write(request, to: out)
            out.write("  # ")
            out.write(purpose)
        case .edit(let change):
            out.write("(rollout edits it) ")
            out.write(change)
        }
        lines.end()
    }

    /// The relay command, without its standard input.
    fileprivate var relayCommand: PlannedCommand? {
        guard case .relay = self, var command else { return nil }
        command.stdin = nil
        return command
    }
}

extension DrainTimeoutAction {
    /// What the plan says happens at the drain deadline.
    var planText: String {
        switch self {
        case .fail: return "fail (the host is restored unchanged; on_drain_timeout: fail)"
        case .proceed: return "restart anyway (on_drain_timeout: proceed)"
        }
    }
}

extension PlannedHealthCheck {
    /// The probe, what it expects, and its timing.
    func writeTextLine(host: String, to out: OutputBuffer) {
        switch probe {
        case .http(let url, let status, let body, let header, let key):
            out.write("http GET ")
            out.write(url)
            out.write(" expect ")
            out.write(String(status))
            if let body {
                out.write(", body contains ")
                ShellQuote.write(body, to: out)
            }
            if let header, let expectVersion {
                out.write(", header ")
                out.write(header)
                out.write(" = ")
                out.write(expectVersion)
            }
            if let key, let expectVersion {
                out.write(", json .")
                out.write(key)
                out.write(" = ")
                out.write(expectVersion)
            }
        case .tcp(let address, let port):
            out.write("tcp connect ")
            out.write(address)
            out.write(":")
            out.write(String(port))
        case .command(let command):
            out.write("command ")
            command.writeTextLine(host: host, to: out)
        }
        out.write("; every ")
        out.write(format(interval))
        out.write(", timeout ")
        out.write(format(timeout))
        out.write(", ")
        out.write(String(retries))
        out.write(" retries, ")
        out.write(String(successes))
        out.write(successes == 1 ? " consecutive success" : " consecutive successes")
        out.write(", deadline ")
        out.write(format(deadline))
    }
}

/// Durations as the playbook writes them (`1h30m`, `45s`).
private func format(_ duration: Duration) -> String { ConfigDuration.format(duration) }
