import ArgumentParser
import Foundation
import RolloutReport
import RolloutStore

/// `rollout show --output`: text and json as everywhere, and the report formats.
enum ShowFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, html, svg
}

/// `rollout show ID`: one rollout, per host and phase.
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one rollout: every host and phase with times, durations and errors.",
        discussion: """
            Exits 2 when the id is not in the journal. JSON described in docs/journal.md. --output html: one \
            self-contained page (summary, failures, a timeline per host and phase, the hosts' phases, the events) \
            that loads nothing from anywhere; --output svg: the timeline alone (docs/journal.md, "Reports").
            """
    )

    @Option(name: .long, help: ArgumentHelp(JournalState.help, valueName: "path-or-url"))
    var state: String?

    @Option(name: .long, help: "Output format: text, json, html (a report page) or svg (its timeline).")
    var output: ShowFormat = .text

    @Argument(help: "The rollout id (see `rollout history`).")
    var id: Int64

    func validate() throws {
        guard id > 0 else { throw ValidationError("a rollout id is a positive number, got \(id)") }
    }

    func run() async throws {
        try await withJournalErrors {
            let journal = JournalOptions(state: state)
            guard let detail = try await journal.openExisting()?.rollout(id, includeJSON: output != .text) else {
                printError(
                    "rollout \(id) is not in the journal \(JournalState.display(journal.state)); `rollout history` lists the known ids"
                )
                throw RolloutExit.invalidInput
            }
            switch output {
            case .json: print(detail.jsonText())
            case .text: print(render(detail))
            case .html: print(RolloutReport.html(detail), terminator: "")
            case .svg: print(RolloutReport.svg(detail))
            }
        }
    }

    private func render(_ detail: RolloutDetail) -> String {
        let summary = detail.summary
        let counts = summary.hostCounts
        var lines = [
            "Rollout \(summary.id): \(summary.inventory) \(summary.previousVersion ?? "(none)") -> \(summary.version)"
                + " (playbook \(summary.playbook))",
            "Status:   \(summary.status.rawValue)" + (summary.exitCode.map { " (exit \($0))" } ?? ""),
        ]
        if let error = summary.error { lines.append("Error:    \(error)") }
        lines.append("Started:  \(StoreText.when(summary.startedAt)) by \(summary.startedBy.displayName)")
        lines.append(
            "Finished: "
                + (summary.finishedAt.map { "\(StoreText.when($0)) (\(StoreText.duration(summary.duration)))" }
                    ?? "not yet"))
        if let strategy = summary.strategy { lines.append("Strategy: \(strategy)") }
        lines.append(
            "Hosts:    \(counts.total) (\(counts.ok) ok, \(counts.failed) failed, \(counts.rolledBack) rolled back, "
                + "\(counts.running) running, \(counts.pending) pending, \(counts.skipped) skipped)")
        var rows: [[String]] = []
        for host in detail.hosts {
            rows.append([
                host.name, String(host.batch), host.status.rawValue, "\(host.fromVersion ?? "-") -> \(host.toVersion)",
                host.startedAt.map(StoreText.clock) ?? "-", StoreText.duration(host.duration), host.error ?? "",
            ])
            for phase in host.phases {
                rows.append([
                    "  " + phase.name, "", phase.status.rawValue, "", StoreText.clock(phase.startedAt),
                    phase.status == .running ? "running" : StoreText.duration(phase.duration), phase.error ?? "",
                ])
            }
        }
        if !rows.isEmpty {
            lines.append("")
            lines.append(
                StoreText.table(["HOST / PHASE", "BATCH", "STATUS", "VERSION", "STARTED", "DURATION", "ERROR"], rows))
        }
        let files = detail.hosts.flatMap(\.files)
        if !files.isEmpty {
            lines.append("")
            lines.append(
                StoreText.table(
                    ["HOST", "CONFIG FILE", "SHA-256", "SWITCHED", "RESTORED"],
                    files.map {
                        [
                            $0.host, $0.path, $0.sha256, StoreText.clock($0.switchedAt),
                            $0.restoredAt.map(StoreText.clock) ?? "-",
                        ]
                    }))
        }
        if !detail.events.isEmpty {
            lines.append("")
            lines.append("Events:")
            for event in detail.events {
                lines.append("  \(StoreText.when(event.at))  \(event.kind.rawValue)  \(event.message)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
