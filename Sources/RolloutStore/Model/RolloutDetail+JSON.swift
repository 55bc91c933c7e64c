import Foundation
import RolloutJSON
import RolloutText

extension RolloutDetail {
    /// The JSON document of `rollout show`: the text of its `Encodable` conformance written by ``JSONWriter``
    /// (a test compares them), streamed without building the document, about ten times faster.
    public func jsonText() -> String {
        let out = OutputBuffer()
        let writer = JSONWriter(out)
        writer.object {
            summary.writeMembers(to: writer) { key in
                // `events`, `hosts` and `plan` in their sorted places among the summary's keys.
                switch key {
                case "exit_code": writer.field("events", events) { $0.write(to: $1) }
                case "id": writer.field("hosts", hosts) { $0.write(to: $1) }
                case "playbook": writer.field("plan", json: plan)
                default: break
                }
            }
        }
        return out.text
    }
}

extension RolloutSummary {
    /// Writes the summary's members in sorted key order; `before(key)` runs before `exit_code`, `id` and `playbook`
    /// so that a containing document can insert its own keys in their sorted places.
    func writeMembers(to writer: JSONWriter, before: (String) -> Void = { _ in }) {
        writer.field("duration_ms", duration)
        writer.field("error", error)
        before("exit_code")
        writer.field("exit_code", exitCode.map(Int.init))
        writer.field("finished_at", finishedAt)
        writer.object("host_counts") {
            for (key, count) in [
                ("failed", hostCounts.failed), ("ok", hostCounts.ok), ("pending", hostCounts.pending),
                ("rolled_back", hostCounts.rolledBack), ("running", hostCounts.running),
                ("skipped", hostCounts.skipped), ("total", hostCounts.total),
            ] {
                writer.key(key)
                writer.int(count)
            }
        }
        before("id")
        writer.field("id", id)
        writer.field("inventory", inventory)
        before("playbook")
        writer.field("playbook", playbook)
        writer.field("previous_version", previousVersion)
        writer.field("started_at", startedAt)
        writer.object("started_by") {
            writer.field("ci_job", startedBy.ciJob)
            writer.field("host", startedBy.host)
            writer.field("pid", Int(startedBy.pid))
            writer.field("user", startedBy.user)
        }
        writer.field("status", status.rawValue)
        writer.field("strategy", strategy)
        writer.field("version", version)
    }
}

extension HostDetail {
    func write(to writer: JSONWriter) {
        writer.beginObject()
        writer.field("address", address)
        writer.field("batch", batch)
        writer.field("duration_ms", duration)
        writer.field("error", error)
        writer.field("files", files) { $0.write(to: $1) }
        writer.field("finished_at", finishedAt)
        writer.field("from_version", fromVersion)
        writer.field("name", name)
        writer.field("phases", phases) { $0.write(to: $1) }
        writer.field("position", position)
        writer.field("started_at", startedAt)
        writer.field("status", status.rawValue)
        writer.field("strategy", strategy)
        writer.field("to_version", toVersion)
        writer.field("updated_at", updatedAt)
        writer.endObject()
    }
}

extension PhaseEntry {
    func write(to writer: JSONWriter) {
        writer.beginObject()
        writer.field("detail", json: detail)
        writer.field("duration_ms", duration)
        writer.field("error", error)
        writer.field("finished_at", finishedAt)
        writer.field("id", id)
        writer.field("name", name)
        writer.field("started_at", startedAt)
        writer.field("status", status.rawValue)
        writer.endObject()
    }
}

extension JournalEvent {
    func write(to writer: JSONWriter) {
        writer.beginObject()
        writer.field("at", at)
        writer.field("detail", json: detail)
        writer.field("id", id)
        writer.field("inventory", inventory)
        writer.field("kind", kind.rawValue)
        writer.field("message", message)
        writer.field("rollout_id", rolloutID)
        writer.endObject()
    }
}
