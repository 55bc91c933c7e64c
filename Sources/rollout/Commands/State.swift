import ArgumentParser
import Foundation
import RolloutStore

/// `rollout state migrate`: move a journal between backends.
struct State: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the journal itself.",
        subcommands: [Migrate.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every rollout, host, phase, event and config file of one journal into another.",
            discussion: """
                --from and --to are journals as --state takes them: a SQLite path or postgres://USER@HOST:PORT/DB \
                (password from PGPASSWORD or ~/.pgpass). Ids are kept, so `rollout show ID` prints the same \
                document from either. Idempotent: rows already in the target with the same values are skipped, and \
                running it twice copies nothing new. A target holding other rows under the same ids is refused \
                before anything is written (exit 2). Locks are not copied. Prints per table the rows in the \
                source, copied and already there. Exit 2: a journal that is not one, or a conflict; 8: a \
                PostgreSQL journal that cannot be reached.
                """)

        @Option(name: .long, help: ArgumentHelp("The journal to copy from (it must exist).", valueName: "path-or-url"))
        var from: String

        @Option(
            name: .long, help: ArgumentHelp("The journal to copy into (created if needed).", valueName: "path-or-url"))
        var to: String

        @Option(name: .long, help: "Output format: text or json.")
        var output: OutputFormat = .text

        func run() async throws {
            try await withJournalErrors {
                guard let source = try await JournalState.openExisting(from) else {
                    throw JournalError(.cannotOpen, "no journal at \(from)")
                }
                let target = try await JournalState.open(to)
                let counts = try await JournalCopy.copy(from: source, to: target)
                await source.close()
                await target.close()
                switch output {
                case .json:
                    try printJSON(MigrateDocument(from: source.location, to: target.location, tables: counts))
                case .text:
                    print("\(source.location) -> \(target.location)")
                    for count in counts {
                        print(
                            "\(count.table.padding(toLength: 12, withPad: " ", startingAt: 0)) \(count.source) rows, "
                                + "\(count.copied) copied, \(count.present) already there")
                    }
                }
            }
        }
    }
}

/// `rollout state migrate --output json`.
struct MigrateDocument: Encodable {
    var from: String
    var to: String
    var tables: [JournalCopy.TableCount]
}
