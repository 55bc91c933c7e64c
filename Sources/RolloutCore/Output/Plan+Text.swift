import RolloutConfig
import RolloutText

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

/// Durations as the playbook writes them (`1h30m`, `45s`).
private func format(_ duration: Duration) -> String { ConfigDuration.format(duration) }
