import Foundation
import RolloutJSON
import RolloutReport
import RolloutStore

/// The pages `rollout serve` renders: the history list with its filters, a rollout (the report, plus live progress
/// while it runs), and one host's phases with their journaled details. Every journal string is escaped. Pure.
enum ServePages {
    static let e = RolloutReport.escape

    /// Filters of the history list, from the query string.
    struct Filter: Equatable {
        var inventory: String?
        var status: String?
        var version: String?
        var limit = 100

        func matches(_ rollout: RolloutSummary) -> Bool {
            (status == nil || rollout.status.rawValue == status) && (version == nil || rollout.version == version)
        }
    }

    static func history(_ rollouts: [RolloutSummary], filter: Filter, inventories: [String], token: String?) -> String {
        let statuses = [
            "running", "succeeded", "failed", "rolled_back", "partial", "aborted", "interrupted", "superseded",
        ]
        func option(_ value: String, selected: String?) -> String {
            "<option value=\"\(e(value))\"\(value == selected ? " selected" : "")>\(e(value))</option>"
        }
        var page = [
            head("rollout history"),
            "<h1>Rollouts</h1>",
            "<form method=\"get\" action=\"/\" id=\"filters\">",
            "<label>inventory <select name=\"inventory\"><option value=\"\">all</option>"
                + inventories.map { option($0, selected: filter.inventory) }.joined() + "</select></label>",
            "<label>status <select name=\"status\"><option value=\"\">all</option>"
                + statuses.map { option($0, selected: filter.status) }.joined() + "</select></label>",
            "<label>version <input name=\"version\" value=\"\(e(filter.version ?? ""))\"></label>",
            token.map { "<input type=\"hidden\" name=\"token\" value=\"\(e($0))\">" } ?? "",
            "<button>filter</button></form>",
            "<table id=\"rollouts\"><tr><th>id</th><th>started</th><th>inventory</th><th>version</th><th>previous</th>"
                + "<th>status</th><th>hosts ok/failed of total</th><th>duration</th><th>started by</th></tr>",
        ]
        for rollout in rollouts {
            let counts = rollout.hostCounts
            page.append(
                "<tr class=\"rollout \(e(rollout.status.rawValue))\" data-id=\"\(rollout.id)\">"
                    + "<td><a href=\"\(link("/rollouts/\(rollout.id)", token))\">\(rollout.id)</a></td>"
                    + "<td>\(e(RolloutReport.timestamp(rollout.startedAt)))</td><td>\(e(rollout.inventory))</td>"
                    + "<td>\(e(rollout.version))</td><td>\(e(rollout.previousVersion ?? "-"))</td>"
                    + "<td class=\"status \(e(rollout.status.rawValue))\">\(e(rollout.status.rawValue))</td>"
                    + "<td>\(counts.ok)/\(counts.failed + counts.rolledBack) of \(counts.total)</td>"
                    + "<td>\(rollout.finishedAt.map { RolloutReport.seconds($0.timeIntervalSince(rollout.startedAt)) } ?? "running")</td>"
                    + "<td>\(e(rollout.startedBy.displayName))</td></tr>")
        }
        page.append("</table>")
        if rollouts.isEmpty { page.append("<p id=\"empty\">No rollout matches.</p>") }
        page.append("</body></html>")
        return page.joined(separator: "\n") + "\n"
    }

    /// The report, with links to each host's details and, while the rollout runs, a live list fed by
    /// `/api/rollouts/ID/events` (server-sent events).
    static func rollout(_ detail: RolloutDetail, token: String?, now: Date = Date()) -> String {
        var html = RolloutReport.html(detail, now: now)
        let nav =
            "<nav><a href=\"\(link("/", token))\">← all rollouts</a> · "
            + "<a href=\"\(link("/api/rollouts/\(detail.id)", token))\">JSON</a> · hosts: "
            + detail.hosts.prefix(200).map {
                "<a class=\"hostlink\" href=\"\(link("/rollouts/\(detail.id)/hosts/\(percent($0.name))", token))\">\(e($0.name))</a>"
            }.joined(separator: " ") + (detail.hosts.count > 200 ? " …" : "") + "</nav>"
        html = html.replacingOccurrences(
            of: "<body>", with: "<body>\n" + nav, options: [], range: html.range(of: "<body>"))
        guard detail.status == .running else { return html }
        let events = "/api/rollouts/\(detail.id)/events" + (token.map { "?token=\(percent($0))" } ?? "")
        let live = """
            <section id="live"><h2>Live</h2><p id="live-state">connecting…</p><ol id="live-events"></ol></section>
            <script>
            (function () {
              var list = document.getElementById("live-events"), state = document.getElementById("live-state");
              var source = new EventSource(\(jsString(events)));
              source.onopen = function () { state.textContent = "following the journal"; };
              source.addEventListener("phase", function (event) {
                var d = JSON.parse(event.data), item = document.createElement("li");
                item.className = "phase " + d.status;
                item.dataset.host = d.host;
                item.dataset.phase = d.phase;
                item.textContent = d.host + " " + d.phase + ": " + d.status + (d.error ? " — " + d.error : "");
                list.appendChild(item);
              });
              source.addEventListener("end", function (event) {
                state.textContent = "finished: " + JSON.parse(event.data).status + " (reload for the final report)";
                state.dataset.finished = "1";
                source.close();
              });
            })();
            </script>
            """
        return html.replacingOccurrences(of: "<section id=\"timeline\">", with: live + "\n<section id=\"timeline\">")
    }

    /// One host's phases with their journaled details (gateway counts, the agent's restart answer, ...).
    static func host(_ host: HostDetail, of detail: RolloutDetail, token: String?) -> String {
        var page = [
            head("rollout \(detail.id): \(host.name)"),
            "<nav><a href=\"\(link("/rollouts/\(detail.id)", token))\">← rollout \(detail.id)</a></nav>",
            "<h1>\(e(host.name)) <span class=\"status \(e(host.status.rawValue))\">\(e(host.status.rawValue))</span></h1>",
            "<p>batch \(host.batch), \(e(host.fromVersion ?? "-")) → \(e(host.toVersion))"
                + (host.address.map { ", \(e($0))" } ?? "") + "</p>",
        ]
        if let error = host.error { page.append("<p class=\"error\">\(e(error))</p>") }
        page.append(
            "<table id=\"phases\"><tr><th>phase</th><th>status</th><th>started</th><th>duration</th><th>error</th><th>detail</th></tr>"
        )
        for phase in host.phases {
            let detailText = phase.detail?.formatted()
            page.append(
                "<tr class=\"phase \(e(phase.status.rawValue))\" data-phase=\"\(e(phase.name))\"><td>\(e(phase.name))</td>"
                    + "<td>\(e(phase.status.rawValue))</td><td>\(e(RolloutReport.timestamp(phase.startedAt)))</td>"
                    + "<td>\(phase.finishedAt.map { RolloutReport.seconds($0.timeIntervalSince(phase.startedAt)) } ?? "running")</td>"
                    + "<td class=\"error\">\(e(phase.error ?? ""))</td><td><pre>\(e(detailText ?? ""))</pre></td></tr>")
        }
        page.append("</table></body></html>")
        return page.joined(separator: "\n") + "\n"
    }

    static func head(_ title: String) -> String {
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(e(title))</title>"
            + "<style>\(style)</style></head><body>"
    }

    static func link(_ path: String, _ token: String?) -> String {
        e(path + (token.map { "?token=\(percent($0))" } ?? ""))
    }

    static func percent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
            ?? ""
    }

    /// A JavaScript string literal that cannot close the script element.
    static func jsString(_ text: String) -> String {
        ((try? JSONValue.string(text).compactText()) ?? #""""#).replacingOccurrences(of: "<", with: "\\u003c")
    }

    static let style = """
        body{font:14px/1.4 sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}
        td,th{border:1px solid #ddd;padding:.2em .5em;vertical-align:top}pre{margin:0;font-size:12px}
        .status.succeeded{color:#2e7d32}.status.failed,.status.aborted,.error{color:#c62828}
        .status.rolled_back,.status.partial{color:#ef6c00}.status.running{color:#1565c0}
        form label{margin-right:1em}
        """
}
