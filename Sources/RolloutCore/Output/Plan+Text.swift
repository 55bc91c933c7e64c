import RolloutConfig

extension Plan {
    /// The plan for people: a summary, the batches in order, then every host's steps with the commands that
    /// will run (`$ ...` lines run on the host unless marked `[on X]`).
    public var text: String {
        var out: [String] = []
        out.append("Rollout plan: \(service) \(version.version) (version from \(version.source.text))")
        out.append("  inventory  \(inventory), playbook \(playbook), \(hosts.count) host\(hosts.count == 1 ? "" : "s")")
        out.append(
            "  artifact   \(artifact.path) (\(artifact.kind.rawValue), \(artifact.size) bytes, "
                + "sha256 \(artifact.sha256))"
        )
        out.append("  batching   \(batchingText)")
        if let canary {
            let then = canary.promote == .manual ? "then wait for `rollout promote`" : "then continue"
            out.append(
                "  canary     \(canary.hosts.joined(separator: ", ")), bake \(format(canary.bake)), \(then)"
            )
        }
        out.append(
            "  failures   max_failures \(failureBudget.setting.text) of \(hosts.count) = \(failureBudget.maxFailures): "
                + failureBudget.rule
        )
        out.append("  rollback   \(rollbackText)")
        out.append(
            "  timeouts   upload \(format(timeouts.upload)), restart \(format(timeouts.restart)), "
                + "rollout \(ConfigDuration.format(timeouts.rollout))")
        for hook in beforeRollout { out.append("  before rollout \(hook.textLine(host: nil))") }
        for hook in afterRollout { out.append("  after rollout  \(hook.textLine(host: nil))") }
        out.append("")
        let strategyOf = Dictionary(uniqueKeysWithValues: hosts.map { ($0.name, $0.strategy) })
        for batch in batches {
            var header = "Batch \(batch.index) (\(batch.kind.rawValue), \(batch.concurrency) at once"
            if let bake = batch.bake { header += ", bake \(ConfigDuration.format(bake))" }
            if batch.waitForPromote { header += ", then wait for promote" }
            out.append(header + "):")
            out.append("  " + batch.hosts.map { "\($0) [\(strategyOf[$0]!.rawValue)]" }.joined(separator: ", "))
        }
        for host in hosts {
            out.append("")
            let user = host.user.map { "\($0)@" } ?? ""
            out.append(
                "Host \(host.name) (\(user)\(host.address):\(host.port)), batch \(host.batch), "
                    + "strategy \(host.strategy.rawValue)"
            )
            for step in host.steps {
                for (i, action) in step.actions.enumerated() {
                    let label =
                        i == 0 ? step.phase.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) : "         "
                    for (j, line) in action.textLines(host: host.name).enumerated() {
                        out.append("  " + (j == 0 ? label : "         ") + " " + line)
                    }
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
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
        var text = on == host ? "$ \(line)" : "[on \(on)] $ \(line)"
        if let stdin { text += " <<< \(ShellQuote.quote(stdin.trimmingSuffixNewline))" }
        if let timeout { text += "  (timeout \(ConfigDuration.format(timeout)))" }
        if mayFail { text += "  (may fail)" }
        return text
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
