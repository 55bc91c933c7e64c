import Foundation

/// The timeline as one self-contained SVG: a time axis, one row per host (grouped by batch, canary marked), one bar per
/// phase coloured by its outcome with its times and error on hover (`<title>`), the time out of rotation shaded behind
/// the bars, the bake as a band across all rows, and each failure's reason in text beside its row. Pure.
enum TimelineSVG {
    static let width = 1200.0
    static let labelWidth = 210.0
    static let rowHeight = 18.0
    static let axisHeight = 28.0
    static let batchGap = 16.0

    /// Scoped to the SVG: inline in the HTML page its `<style>` would otherwise apply to the whole document.
    static let style = """
        .timeline .axis text,.timeline .label,.timeline .batchlabel,.timeline .band text{font:11px sans-serif;fill:#333}
        .timeline .axis line{stroke:#ddd}
        .timeline .bar{stroke:#fff;stroke-width:.6}
        .timeline .batchlabel{font-weight:bold}
        .timeline .bar.ok{fill:#2e7d32}.timeline .bar.failed{fill:#c62828}.timeline .bar.running{fill:#1565c0}
        .timeline .bar.skipped{fill:#9e9e9e}.timeline .bar.interrupted{fill:#ef6c00}.timeline .bar.rollback{fill:#6a1b9a}
        .timeline .drained{fill:#90caf9;opacity:.45}
        .timeline .band rect{fill:#fff59d;opacity:.5}
        .timeline .row.failed .label,.timeline .row.rolled_back .label{fill:#c62828;font-weight:bold}
        .timeline .error{font:11px sans-serif;fill:#c62828}
        """

    static func render(_ timeline: Timeline) -> String {
        // Room on the right for the failures' reasons, so the text never covers a bar.
        let plotWidth = width - labelWidth - (timeline.rows.contains { $0.error != nil } ? 330 : 20)
        func x(_ date: Date) -> Double {
            labelWidth + max(0, date.timeIntervalSince(timeline.start)) / max(timeline.seconds, 0.001) * plotWidth
        }
        var body: [String] = []
        var y = axisHeight
        var previousBatch: Int?
        var rowsSVG: [String] = []
        for row in timeline.rows {
            if row.batch != previousBatch {
                y += previousBatch == nil ? 4 : batchGap
                let canary = timeline.rows.contains { $0.batch == row.batch && timeline.canaryHosts.contains($0.label) }
                rowsSVG.append(
                    "<text class=\"batchlabel\" x=\"4\" y=\"\(n(y - 3))\">batch \(row.batch)\(canary ? " · canary" : "")</text>"
                        + "<line x1=\"0\" x2=\"\(n(width))\" y1=\"\(n(y - 1))\" y2=\"\(n(y - 1))\" stroke=\"#bbb\"/>")
                y += 12
                previousBatch = row.batch
            }
            var g =
                "<g class=\"row \(row.kind) \(Format.escape(row.status))\" data-host=\"\(Format.escape(row.label))\" "
                + "data-status=\"\(Format.escape(row.status))\" data-batch=\"\(row.batch)\">"
            let canary = timeline.canaryHosts.contains(row.label) ? " ◆" : ""
            g +=
                "<text class=\"label\" x=\"4\" y=\"\(n(y + 12))\">\(Format.escape(clip(row.label, 30)))\(canary)</text>"
            for drained in row.drained {
                g +=
                    "<rect class=\"drained\" x=\"\(n(x(drained.start)))\" y=\"\(n(y))\" "
                    + "width=\"\(n(max(1, x(drained.end) - x(drained.start))))\" height=\"\(n(rowHeight - 2))\">"
                    + "<title>\(Format.escape(row.label)) out of rotation "
                    + "\(Format.seconds(drained.end.timeIntervalSince(drained.start)))</title></rect>"
            }
            for bar in row.bars {
                g +=
                    "<rect class=\"bar \(Format.escape(bar.style))\" data-phase=\"\(Format.escape(bar.phase))\" "
                    + "x=\"\(n(x(bar.start)))\" y=\"\(n(y + 3))\" width=\"\(n(max(1, x(bar.end) - x(bar.start))))\" "
                    + "height=\"\(n(rowHeight - 8))\"><title>\(Format.escape(bar.title))</title></rect>"
            }
            if let error = row.error {
                let after = (row.bars.map { x($0.end) }.max() ?? labelWidth) + 6
                g +=
                    "<text class=\"error\" x=\"\(n(after))\" y=\"\(n(y + 12))\">\(Format.escape(clip(error, 50)))"
                    + "<title>\(Format.escape(error))</title></text>"
            }
            rowsSVG.append(g + "</g>")
            y += rowHeight
        }
        let height = y + 8
        body.append(axis(timeline, plotWidth: plotWidth, height: height, x: x))
        for band in timeline.bands {
            body.append(
                "<g class=\"band\"><rect x=\"\(n(x(band.start)))\" y=\"\(n(axisHeight - 6))\" "
                    + "width=\"\(n(max(1, x(band.end) - x(band.start))))\" height=\"\(n(height - axisHeight + 6))\">"
                    + "<title>\(band.label): \(Format.seconds(band.end.timeIntervalSince(band.start)))</title></rect>"
                    + "<text x=\"\(n(x(band.start) + 3))\" y=\"\(n(axisHeight - 8))\">\(band.label)</text></g>")
        }
        body += rowsSVG
        return
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"\(n(width))\" height=\"\(n(height))\" "
            + "viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\"><style>\(style)</style>"
            + body.joined(separator: "\n") + "</svg>"
    }

    /// Tick marks every nice step, labelled with the offset from the rollout's start.
    static func axis(_ timeline: Timeline, plotWidth: Double, height: Double, x: (Date) -> Double) -> String {
        let steps: [Double] = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200]
        let step = steps.first { timeline.seconds / $0 <= 10 } ?? 14400
        var parts = ["<g class=\"axis\">"]
        var t = 0.0
        while t <= timeline.seconds + 0.0001 {
            let at = x(timeline.start.addingTimeInterval(t))
            let label =
                step < 1
                ? String(format: "+%.1fs", t)
                : t < 120 ? "+\(Int(t))s" : "+\(Int(t) / 60)m\(Int(t) % 60 == 0 ? "" : "\(Int(t) % 60)s")"
            parts.append(
                "<line x1=\"\(n(at))\" x2=\"\(n(at))\" y1=\"\(n(axisHeight - 4))\" y2=\"\(n(height))\"/>"
                    + "<text x=\"\(n(at + 2))\" y=\"12\">\(label)</text>")
            t += step
        }
        return parts.joined() + "</g>"
    }

    static func clip(_ text: String, _ limit: Int) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }

    /// A coordinate with at most one decimal (smaller files, stable output).
    static func n(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
