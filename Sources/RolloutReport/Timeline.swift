import Foundation
import RolloutJSON
import RolloutModel
import RolloutStore

/// The rows, bars and marks of a rollout's timeline, computed from the journal: one row per host (or, beyond
/// `collapseAbove` hosts, one row per batch plus a row for every host that failed, was rolled back or still runs), one
/// bar per phase, the time each host was out of rotation (drain → undrain), and the canary's bake. Pure.
struct Timeline {
    struct Bar {
        var phase: String
        var start: Date
        var end: Date
        /// `ok`, `failed`, `running`, `skipped`, `interrupted`, or `rollback` for a revert.
        var style: String
        var title: String
    }

    struct Row {
        var label: String
        var batch: Int
        /// `host`, or `batch` for a collapsed batch.
        var kind: String
        var status: String
        var bars: [Bar]
        /// Out of rotation: from the start of `drain` to the end of `undrain` (or of the host's last phase).
        var drained: [(start: Date, end: Date)]
        var error: String?
    }

    struct Band {
        var label: String
        var start: Date
        var end: Date
    }

    let start: Date
    let end: Date
    let rows: [Row]
    let bands: [Band]
    let canaryHosts: Set<String>
    let collapsed: Bool
    /// Seconds each host was out of rotation (hosts never drained are absent).
    let drainedSeconds: [String: Double]

    init(_ detail: RolloutDetail, now: Date, collapseAbove: Int = 200) {
        let phases = detail.hosts.flatMap(\.phases)
        start = min(detail.summary.startedAt, phases.map(\.startedAt).min() ?? detail.summary.startedAt)
        let lastEnd = phases.map { $0.finishedAt ?? now }.max() ?? start
        end = max(detail.summary.finishedAt ?? lastEnd, lastEnd, start.addingTimeInterval(0.001))
        canaryHosts = Self.canaryHosts(detail.plan)
        collapsed = detail.hosts.count > collapseAbove
        let hostRows = detail.hosts.sorted { ($0.batch, $0.position) < ($1.batch, $1.position) }.map {
            Self.row($0, now: now)
        }
        drainedSeconds = Dictionary(
            hostRows.filter { !$0.drained.isEmpty }.map { row in
                (row.label, row.drained.reduce(0.0) { $0 + $1.end.timeIntervalSince($1.start) })
            }, uniquingKeysWith: { first, _ in first })
        if collapsed {
            var rows: [Row] = []
            for (batch, members) in Dictionary(grouping: hostRows, by: \.batch).sorted(by: { $0.key < $1.key }) {
                rows.append(Self.batchRow(batch, members))
                rows += members.filter { ["failed", "rolled_back", "running"].contains($0.status) }
            }
            self.rows = rows
        } else {
            rows = hostRows
        }
        bands = Self.bakeBands(detail.events, end: end)
    }

    var seconds: Double { end.timeIntervalSince(start) }

    static func row(_ host: HostDetail, now: Date) -> Row {
        var drained: [(Date, Date)] = []
        var drainStart: Date?
        let bars = host.phases.map { phase -> Bar in
            let end = phase.finishedAt ?? now
            if phase.phase == .drain { drainStart = phase.startedAt }
            if phase.phase == .undrain, let from = drainStart {
                drained.append((from, end))
                drainStart = nil
            }
            let style = phase.phase == .rollback && phase.status == .ok ? "rollback" : phase.status.rawValue
            var title =
                "\(host.name) \(phase.name): \(phase.status.rawValue), \(Format.seconds(end.timeIntervalSince(phase.startedAt)))"
                + " (\(Format.clock(phase.startedAt))–\(phase.finishedAt.map(Format.clock) ?? "running"))"
            if let error = phase.error { title += "\n\(error)" }
            return Bar(phase: phase.name, start: phase.startedAt, end: end, style: style, title: title)
        }
        if let from = drainStart {  // never undrained: out of rotation until the host's last phase ended (or now)
            drained.append((from, bars.map(\.end).max() ?? now))
        }
        let error = host.error ?? host.phases.last { $0.error != nil }?.error
        return Row(
            label: host.name, batch: host.batch, kind: "host", status: host.status.rawValue, bars: bars,
            drained: drained, error: host.status == .succeeded || host.status == .unchanged ? nil : error)
    }

    /// A batch as one row: per phase name, one bar from its first start to its last end across the batch's hosts,
    /// styled by the worst outcome among them.
    static func batchRow(_ batch: Int, _ members: [Row]) -> Row {
        let severity = ["failed": 5, "interrupted": 4, "running": 3, "rollback": 2, "skipped": 1, "ok": 0]
        var order: [String] = []
        var grouped: [String: [Bar]] = [:]
        for bar in members.flatMap(\.bars) {
            if grouped[bar.phase] == nil { order.append(bar.phase) }
            grouped[bar.phase, default: []].append(bar)
        }
        let bars = order.map { name -> Bar in
            let group = grouped[name]!
            let style = group.map(\.style).max { (severity[$0] ?? 0) < (severity[$1] ?? 0) } ?? "ok"
            let counts = Dictionary(grouping: group, by: \.style).map { "\($0.value.count) \($0.key)" }.sorted()
            let first = group.map(\.start).min()!
            let last = group.map(\.end).max()!
            return Bar(
                phase: name, start: first, end: last, style: style,
                title:
                    "batch \(batch) \(name): \(counts.joined(separator: ", ")), \(Format.seconds(last.timeIntervalSince(first)))"
            )
        }
        let statuses = Dictionary(grouping: members, by: \.status).mapValues(\.count)
        let status = ["failed", "rolled_back", "running"].first { statuses[$0] != nil } ?? "succeeded"
        return Row(
            label: "batch \(batch) (\(members.count) hosts)", batch: batch, kind: "batch", status: status, bars: bars,
            drained: [], error: nil)
    }

    static func canaryHosts(_ plan: JSONValue?) -> Set<String> {
        guard case .array(let batches)? = plan?["batches"] else { return [] }
        var hosts: Set<String> = []
        for batch in batches {
            guard case .string("canary")? = batch["kind"], case .array(let names)? = batch["hosts"] else { continue }
            for case .string(let name) in names { hosts.insert(name) }
        }
        return hosts
    }

    /// The canary's bake: from `canary.baking` to `canary.baked` (or the rollout's end).
    static func bakeBands(_ events: [JournalEvent], end: Date) -> [Band] {
        var bands: [Band] = []
        var baking: Date?
        for event in events.sorted(by: { $0.at < $1.at }) {
            if event.kind == .canaryBaking { baking = event.at }
            if event.kind == .canaryBaked, let from = baking {
                bands.append(Band(label: "bake", start: from, end: event.at))
                baking = nil
            }
        }
        if let from = baking { bands.append(Band(label: "bake", start: from, end: end)) }
        return bands
    }
}

/// Times and durations as the report prints them.
enum Format {
    static func seconds(_ interval: TimeInterval) -> String {
        if interval < 10 { return String(format: "%.2f s", interval) }
        if interval < 600 { return String(format: "%.1f s", interval) }
        return "\(Int(interval) / 60) min \(Int(interval) % 60) s"
    }

    /// `03:19:19.250Z` (UTC, as every time the journal keeps).
    static func clock(_ date: Date) -> String {
        date.formatted(.iso8601.time(includingFractionalSeconds: true).timeSeparator(.colon)) + "Z"
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    /// Text safe in HTML and SVG (element content and attribute values).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline have no place in XML.
                if character.value < 0x20 && character != "\n" && character != "\t" {
                    out += " "
                } else {
                    out.unicodeScalars.append(character)
                }
            }
        }
        return out
    }
}
