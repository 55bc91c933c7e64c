import ArgumentParser
import Foundation
import RolloutStore

/// `rollout live-config HOST --at TIME`: which configuration files were live on a host at a moment, with their
/// SHA-256, from what `reload` rollouts journaled.
struct LiveConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live-config",
        abstract: "Show the configuration files live on a host at a moment (from config-only rollouts).",
        discussion: """
            Per file path, the latest version a `reload` rollout switched on the host at or before --at and had not \
            put back by then. Files no rollout switched are unknown to the journal. JSON: {"host", "at", "files"}, \
            described in docs/journal.md.
            """)

    @OptionGroup var journal: JournalOptions

    @Argument(help: "The host's inventory name.")
    var host: String

    @Option(help: "UTC time: 2026-11-22T14:05:00Z, 2026-11-22 14:05 or the journal's form (default: now).")
    var at: String?

    @Option(help: "Only rollouts of this inventory (as history shows it, e.g. inventories/prod.yml).")
    var inventory: String?

    func validate() throws {
        if let at, Self.parseTime(at) == nil {
            throw ValidationError("--at \(at): expected a UTC time such as 2026-11-22T14:05:00Z or 2026-11-22 14:05")
        }
    }

    func run() async throws {
        let date = at.flatMap(Self.parseTime) ?? Date()
        try await withJournalErrors {
            let files =
                try await journal.openExisting()?.liveConfigFiles(inventory: inventory, host: host, at: date)
                ?? []
            switch journal.output {
            case .json: try printJSON(LiveConfigDocument(host: host, at: JournalTime.string(from: date), files: files))
            case .text:
                guard !files.isEmpty else {
                    print("No configuration file of \(host) is journaled as live at \(StoreText.when(date)).")
                    return
                }
                print(
                    StoreText.table(
                        ["PATH", "SHA-256", "SINCE", "ROLLOUT", "SOURCE"],
                        files.map {
                            [$0.path, $0.sha256, StoreText.when($0.switchedAt), String($0.rolloutID), $0.source ?? "-"]
                        }))
            }
        }
    }

    /// `YYYY-MM-DD[T ]HH:MM[:SS[.mmm]][Z]`, read as UTC.
    static func parseTime(_ text: String) -> Date? {
        var value = text.hasSuffix("Z") ? String(text.dropLast()) : text
        guard value.count >= 16 else { return nil }
        value = value.replacingOccurrences(of: " ", with: "T")
        if value.count == 16 { value += ":00" }
        if value.count == 19 { value += ".000" }
        return JournalTime.date(from: value + "Z")
    }
}

/// The JSON document of `rollout live-config`.
struct LiveConfigDocument: Encodable {
    var host: String
    var at: String
    var files: [ConfigFileRecord]
}
