import RolloutConfig

extension Plan {
    /// The plan for people: a summary, the batches in order, then every host's steps with the commands that
    /// will run (`$ ...` lines run on the host unless marked `[on X]`).
    public var text: String {
        let out = OutputBuffer()
        writeText(to: out)
        return out.text
    }

    /// Writes `text` into `out` host by host, never holding the whole text (the caller calls `out.finish()`).
    public func writeText(to out: OutputBuffer) {
        writeText(to: out, hostsPerChunk: 64)
    }

    /// `writeText(to:)`, the hosts' sections formatted concurrently in chunks of `hostsPerChunk`; the bytes do
    /// not depend on the chunk size.
    func writeText(to out: OutputBuffer, hostsPerChunk: Int) {
        func line(_ text: String) {
            out.write(text)
            out.write(byte: UInt8(ascii: "\n"))
        }
        line("Rollout plan: \(service) \(version.version) (version from \(version.source.text))")
        line("  inventory  \(inventory), playbook \(playbook), \(hosts.count) host\(hosts.count == 1 ? "" : "s")")
        if let artifact {
            line(
                "  artifact   \(artifact.path) (\(artifact.kind.rawValue), \(artifact.size) bytes, "
                    + "sha256 \(artifact.sha256))"
            )
        } else {
            line("  artifact   none: configuration only, every host keeps its release")
        }
        line("  batching   \(batchingText)")
        if let canary {
            let then = canary.promote == .manual ? "then wait for `rollout promote`" : "then continue"
            line("  canary     \(canary.hosts.joined(separator: ", ")), bake \(format(canary.bake)), \(then)")
        }
        line(
            "  failures   max_failures \(failureBudget.setting.text) of \(hosts.count) = \(failureBudget.maxFailures): "
                + failureBudget.rule
        )
        line("  rollback   \(rollbackText)")
        line(
            "  timeouts   upload \(format(timeouts.upload)), restart \(format(timeouts.restart)), "
                + "rollout \(ConfigDuration.format(timeouts.rollout))")
        for hook in beforeRollout { line("  before rollout \(hook.textLine(host: nil))") }
        for hook in afterRollout { line("  after rollout  \(hook.textLine(host: nil))") }
        line("")
        let strategyOf = Dictionary(uniqueKeysWithValues: hosts.map { ($0.name, $0.strategy) })
        for batch in batches {
            var header = "Batch \(batch.index) (\(batch.kind.rawValue), \(batch.concurrency) at once"
            if let bake = batch.bake { header += ", bake \(ConfigDuration.format(bake))" }
            if batch.waitForPromote { header += ", then wait for promote" }
            line(header + "):")
            out.write("  ")
            for (i, host) in batch.hosts.enumerated() {
                if i > 0 { out.write(", ") }
                out.write(host)
                out.write(" [")
                out.write(strategyOf[host]!.rawValue)
                out.write("]")
            }
            line("")
        }
        // Hosts' sections are independent: formatted concurrently in chunks and written in order.
        let hosts = hosts
        out.writeChunks(count: hosts.count, chunkSize: hostsPerChunk) { range, out in
            for host in hosts[range] { host.writeText(to: out) }
        }
    }

    private var batchingText: String {
        var text: String
        switch batching.mode {
        case .serial(let items): text = "serial [\(items.map(\.text).joined(separator: ", "))]"
        case .window(let size): text = "window \(size.text)"
        }
        if let ceiling = maxUnavailable, let setting = batching.maxUnavailable {
            text += ", max_unavailable \(setting.text) (= \(ceiling))"
        }
        return text
    }

    private var rollbackText: String {
        switch rollback {
        case .host: return "host: revert the failed host only"
        case .all: return "all: revert every host this rollout changed"
        case .none: return "none: leave hosts as they are"
        }
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
        for (i, argument) in argv.enumerated() {
            if i > 0 { out.write(byte: UInt8(ascii: " ")) }
            out.write(ShellQuote.quote(argument))
        }
        if let stdin {
            out.write(" <<< ")
            out.write(ShellQuote.quote(stdin.trimmingSuffixNewline))
        }
        if let timeout { out.write("  (timeout \(ConfigDuration.format(timeout)))") }
        if mayFail { out.write("  (may fail)") }
    }
}

extension String {
    fileprivate var trimmingSuffixNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}

extension PlanAction {
    func textLines(host: String) -> [String] {
        switch self {
        case .run(let command, let hook):
            return [(hook.map { "\($0.rawValue) hook: " } ?? "") + command.textLine(host: host)]
        case .upload(let u):
            return u.begin.map { $0.textLine(host: host) }
                + [
                    "upload \(u.source) -> \(u.destination) (sha256 \(u.sha256.prefix(12))…, "
                        + "timeout \(format(u.timeout)))"
                ]
                + (u.verify.map { ["\($0.textLine(host: host))  (must print \(u.sha256.prefix(12))…)"] } ?? [])
                + [u.finish.textLine(host: host) + "  (skipped when \(u.release) exists)"]
        case .gateway(let step):
            var lines = [step.headline]
            // The relay is one long command line: shown in full once, in the drain step, then named.
            if step.operation == .drain, let relay = step.calls.lazy.compactMap(\.relayCommand).first {
                lines.append("  relay = \(relay.textLine(host: host))")
            }
            return lines + step.calls.map { "  " + $0.textLine(host: host) }
        case .waitDrained(let status, let count, let deadline, let poll, let onTimeout):
            let reads = status.map { "  " + $0.textLine(host: host) }
            let every = status.isEmpty ? "" : ", reading every \(ConfigDuration.format(poll)):"
            guard count != nil else {
                // Nothing counts connections: the whole deadline is the drain (reads still catch a host put back).
                return ["the gateway cannot count connections: wait the full \(ConfigDuration.format(deadline))\(every)"]
                    + reads + ["then restart"]
            }
            return ["wait until no active connection, at most \(ConfigDuration.format(deadline))\(every)"]
                + reads + ["at the deadline with connections left: \(onTimeout.planText)"]
        case .health(let check):
            return [check.textLine(host: host)]
        case .pruneReleases(let list, let keep):
            return ["\(list.textLine(host: host)); delete all but the \(keep) newest (never current or previous)"]
        case .uploadConfig(let files):
            return files.map {
                "upload \($0.source) (\($0.kind), \($0.content.count) bytes, sha256 \($0.sha256.prefix(12))…) -> "
                    + "\($0.temporary) mode \($0.modeText), checked by sha256sum"
            }
        case .switchConfig(let files):
            return files.flatMap { file in
                ConfigCommands.switchFile(file).map { $0.textLine(host: host) }
            } + ["(on a failed reload: restore every backup, then reload again)"]
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
    func textLine(host: String) -> String {
        switch self {
        case .run(let command, let purpose): return "\(command.textLine(host: host))  # \(purpose)"
        case .socket(let endpoint, let request, let purpose):
            return "[on controller] admin socket \(endpoint) <<< \(ShellQuote.quote(request))  # \(purpose)"
        case .relay(let on, let endpoint, let request, let purpose):
            return "[on \(on)] $ relay to \(endpoint) <<< \(ShellQuote.quote(request))  # \(purpose)"
        case .edit(let change): return "(rollout edits it) \(change)"
        }
    }
}

extension GatewayCall {
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
    func textLine(host: String) -> String {
        var text: String
        switch probe {
        case .http(let url, let status, let body, let header, let key):
            text = "http GET \(url) expect \(status)"
            if let body { text += ", body contains \(ShellQuote.quote(body))" }
            if let header, let expectVersion { text += ", header \(header) = \(expectVersion)" }
            if let key, let expectVersion { text += ", json .\(key) = \(expectVersion)" }
        case .tcp(let address, let port): text = "tcp connect \(address):\(port)"
        case .command(let command): text = "command " + command.textLine(host: host)
        }
        return text
            + "; every \(format(interval)), timeout \(format(timeout)), \(retries) retries, "
            + "\(successes) consecutive success\(successes == 1 ? "" : "es"), deadline \(format(deadline))"
    }
}

/// Durations as the playbook writes them (`1h30m`, `45s`).
private func format(_ duration: Duration) -> String { ConfigDuration.format(duration) }
