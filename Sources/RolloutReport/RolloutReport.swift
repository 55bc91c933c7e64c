import Foundation
import RolloutStore

/// A rollout as one self-contained page (`rollout show ID --output html`, `deploy --html-report FILE`) or its timeline
/// alone (`--output svg`), rendered from the journal. No script, font, style sheet or image is loaded from anywhere:
/// the file reads the same offline, attached to a CI job. Every journal string is escaped. Pure.
///
/// What an on-call engineer opening a failed deploy wants first comes first: the status and its error, then each
/// failure with its host, phase and reason, then the timeline, then every host's phases and the events.
public enum RolloutReport {
    /// Beyond this many hosts the timeline shows one row per batch (plus every host that failed, was rolled back or
    /// still runs) and the host table folds each batch into a `<details>`.
    public static let collapseAbove = 200

    /// Text safe in HTML (element content and attribute values).
    public static func escape(_ text: String) -> String { Format.escape(text) }
    /// `2026-12-07T03:19:19Z`.
    public static func timestamp(_ date: Date) -> String { Format.timestamp(date) }
    /// `1.25 s`, `42.0 s`, `12 min 3 s`.
    public static func seconds(_ interval: TimeInterval) -> String { Format.seconds(interval) }

    public static func svg(_ detail: RolloutDetail, now: Date = Date()) -> String {
        TimelineSVG.render(Timeline(detail, now: now, collapseAbove: collapseAbove))
    }

    public static func html(_ detail: RolloutDetail, now: Date = Date()) -> String {
        let summary = detail.summary
        let timeline = Timeline(detail, now: now, collapseAbove: collapseAbove)
        let e = Format.escape
        var html = [
            "<!doctype html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>rollout \(summary.id) \(e(summary.status.rawValue)): \(e(summary.inventory)) "
                + "\(e(summary.previousVersion ?? "(none)")) → \(e(summary.version))</title>",
            "<style>\(pageStyle)</style></head><body>",
            "<header><h1>Rollout \(summary.id): <span class=\"status \(e(summary.status.rawValue))\" id=\"status\">"
                + "\(e(summary.status.rawValue))</span></h1>",
        ]
        if let error = summary.error { html.append("<p class=\"error\" id=\"rollout-error\">\(e(error))</p>") }
        let counts = summary.hostCounts
        let facts: [(String, String)] = [
            ("Inventory", summary.inventory), ("Playbook", summary.playbook),
            ("Version", "\(summary.previousVersion ?? "(none)") → \(summary.version)"),
            ("Strategy", summary.strategy ?? "-"),
            ("Exit code", summary.exitCode.map(String.init) ?? "-"),
            ("Started", "\(Format.timestamp(summary.startedAt)) by \(summary.startedBy.displayName)"),
            (
                "Finished",
                summary.finishedAt.map {
                    "\(Format.timestamp($0)) (\(Format.seconds($0.timeIntervalSince(summary.startedAt))))"
                } ?? "not yet"
            ),
            (
                "Hosts",
                "\(counts.total): \(counts.ok) ok, \(counts.failed) failed, \(counts.rolledBack) rolled back, "
                    + "\(counts.running) running, \(counts.pending) pending, \(counts.skipped) skipped"
            ),
        ]
        html.append(
            "<dl class=\"summary\">" + facts.map { "<dt>\($0.0)</dt><dd>\(e($0.1))</dd>" }.joined() + "</dl></header>")

        let failures = detail.hosts.filter {
            [.failed, .rolledBack].contains($0.status) || $0.phases.contains { $0.status == .failed }
        }
        if !failures.isEmpty {
            html.append("<section id=\"failures\"><h2>Failures (\(failures.count))</h2><ul>")
            for host in failures.sorted(by: { ($0.batch, $0.position) < ($1.batch, $1.position) }) {
                let failed = host.phases.filter { $0.status == .failed }
                let reasons = failed.map { "<b>\(e($0.name))</b>: \(e($0.error ?? "failed"))" }
                let text = reasons.isEmpty ? e(host.error ?? host.status.rawValue) : reasons.joined(separator: "<br>")
                html.append(
                    "<li class=\"failure\" data-host=\"\(e(host.name))\"><span class=\"host\">\(e(host.name))</span> "
                        + "(batch \(host.batch), \(e(host.status.rawValue))): \(text)</li>")
            }
            html.append("</ul></section>")
        }

        html.append("<section id=\"timeline\"><h2>Timeline</h2><p class=\"legend\">")
        for (style, label) in [
            ("ok", "ok"), ("failed", "failed"), ("running", "running"), ("rollback", "rollback"),
            ("interrupted", "interrupted"), ("skipped", "skipped"), ("drained", "out of rotation"), ("bake", "bake"),
        ] {
            html.append("<span class=\"key \(style)\"></span>\(label) ")
        }
        html.append(
            timeline.collapsed
                ? "</p><p>\(detail.hosts.count) hosts: one row per batch, plus every host that failed, was rolled back "
                    + "or still runs.</p>" : "</p>")
        html.append("<div class=\"scroll\">" + TimelineSVG.render(timeline) + "</div></section>")

        html.append("<section id=\"hosts\"><h2>Hosts</h2>")
        let batches = Dictionary(grouping: detail.hosts, by: \.batch).sorted { $0.key < $1.key }
        for (batch, hosts) in batches {
            let table = hostTable(hosts.sorted { $0.position < $1.position }, timeline: timeline)
            if timeline.collapsed {
                let open = hosts.contains { $0.status != .succeeded && $0.status != .unchanged } ? " open" : ""
                html.append("<details\(open)><summary>batch \(batch): \(hosts.count) hosts</summary>\(table)</details>")
            } else {
                html.append(table)
            }
        }
        html.append("</section>")

        if !detail.events.isEmpty {
            html.append(
                "<section id=\"events\"><h2>Events</h2><table><tr><th>time</th><th>kind</th><th>message</th></tr>")
            for event in detail.events {
                html.append(
                    "<tr><td>\(Format.clock(event.at))</td><td>\(e(event.kind.rawValue))</td><td>\(e(event.message))</td></tr>"
                )
            }
            html.append("</table></section>")
        }
        html.append("<footer>rollout show \(summary.id) --output html, \(Format.timestamp(now))</footer></body></html>")
        return html.joined(separator: "\n") + "\n"
    }

    static func hostTable(_ hosts: [HostDetail], timeline: Timeline) -> String {
        let e = Format.escape
        var rows = [
            "<table class=\"hosts\"><tr><th>host</th><th>batch</th><th>status</th><th>version</th><th>duration</th>"
                + "<th>out of rotation</th><th>phases</th><th>error</th></tr>"
        ]
        for host in hosts {
            let drained = timeline.drainedSeconds[host.name] ?? 0
            // Plain text for a phase that went well, a marked span for one that did not (10,000 hosts stay small).
            let phases = host.phases.map { phase in
                let text =
                    "\(e(phase.name)) "
                    + (phase.finishedAt.map { Format.seconds($0.timeIntervalSince(phase.startedAt)) } ?? "running")
                guard phase.status != .ok else { return text }
                return
                    "<span class=\"phase \(e(phase.status.rawValue))\"\(phase.error.map { " title=\"\(e($0))\"" } ?? "")>"
                    + "\(text)</span>"
            }.joined(separator: " · ")
            rows.append(
                "<tr class=\"host \(e(host.status.rawValue))\" data-host=\"\(e(host.name))\"><td>\(e(host.name))"
                    + "\(timeline.canaryHosts.contains(host.name) ? " (canary)" : "")</td><td>\(host.batch)</td>"
                    + "<td>\(e(host.status.rawValue))</td><td>\(e(host.fromVersion ?? "-")) → \(e(host.toVersion))</td>"
                    + "<td>\(host.duration.map { Format.seconds(Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) } ?? "-")</td>"
                    + "<td>\(drained > 0 ? Format.seconds(drained) : "-")</td><td>\(phases)</td>"
                    + "<td class=\"error\">\(e(host.error ?? ""))</td></tr>")
        }
        return rows.joined(separator: "\n") + "</table>"
    }

    static let pageStyle = """
        body{font:14px/1.4 sans-serif;margin:1.5em;color:#222}
        h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}
        .status{padding:.1em .4em;border-radius:3px;color:#fff;background:#555}
        .status.succeeded{background:#2e7d32}.status.failed,.status.aborted{background:#c62828}
        .status.rolled_back,.status.partial{background:#ef6c00}.status.running{background:#1565c0}
        .error{color:#c62828}
        dl.summary{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}dt{font-weight:bold}
        #failures li{margin:.3em 0}.host{font-weight:bold}
        .scroll{overflow-x:auto}
        table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.2em .5em;vertical-align:top}
        tr.failed td,tr.rolled_back td{background:#ffebee}
        .phase{padding:0 .3em;border-radius:2px}
        .phase.failed{background:#ffcdd2}.phase.running{background:#bbdefb}.phase.skipped{background:#eee}
        .key{display:inline-block;width:1em;height:.8em;margin:0 .2em 0 .8em;vertical-align:middle}
        .key.ok{background:#2e7d32}.key.failed{background:#c62828}.key.running{background:#1565c0}
        .key.rollback{background:#6a1b9a}.key.interrupted{background:#ef6c00}.key.skipped{background:#9e9e9e}
        .key.drained{background:#90caf9}.key.bake{background:#fff59d}
        footer{margin-top:2em;color:#777;font-size:.85em}
        """
}
