import Foundation
import RolloutStore

/// Text rendering for the journal commands: aligned tables, times and durations.
enum StoreText {
    /// Columns padded to their widest cell, two spaces apart, without trailing spaces.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        // Widths in characters, counted once per cell: `rollout show` renders 60,000 rows for 10,000 hosts.
        let lengths = all.map { $0.map(\.count) }
        var widths = [Int](repeating: 0, count: header.count)
        for row in lengths {
            for (index, length) in row.enumerated() { widths[index] = max(widths[index], length) }
        }
        var out = ""
        for (row, rowLengths) in zip(all, lengths) {
            if !out.isEmpty { out += "\n" }
            let last = row.lastIndex { !$0.isEmpty } ?? 0
            for index in 0...last {
                out += row[index]
                if index < last { out += String(repeating: " ", count: widths[index] - rowLengths[index] + 2) }
            }
        }
        return out
    }

    /// `2026-11-18 11:06:40Z`: UTC, to the second.
    static func when(_ date: Date?) -> String {
        guard let date else { return "-" }
        let text = JournalTime.string(from: date)
        return "\(text.prefix(10)) \(text.dropFirst(11).prefix(8))Z"
    }

    /// `11:06:40.250`: the UTC time of day with milliseconds, for phases within one rollout.
    static func clock(_ date: Date) -> String {
        String(JournalTime.string(from: date).dropFirst(11).prefix(12))
    }

    /// `850ms`, `6.5s`, `1m03s`, `2h05m`; `-` when unknown.
    static func duration(_ duration: Duration?) -> String {
        guard let duration else { return "-" }
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        switch ms {
        case ..<1000: return "\(ms)ms"
        case ..<60_000: return String(format: "%.1fs", Double(ms) / 1000)
        case ..<3_600_000: return String(format: "%lldm%02llds", ms / 60_000, ms / 1000 % 60)
        default: return String(format: "%lldh%02lldm", ms / 3_600_000, ms / 60_000 % 60)
        }
    }
}
