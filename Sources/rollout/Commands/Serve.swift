import ArgumentParser
import Foundation
import RolloutServe
import RolloutStore

/// `rollout serve`: the journal in a browser.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a read-only web view of the journal: history, rollouts with their timeline, live progress.",
        discussion: """
            Pages: / (history; filters inventory, status, version), /rollouts/ID (the report of `show --output html`, \
            with live progress while the rollout runs), /rollouts/ID/hosts/NAME (a host's phases with their details: \
            gateway counts, the agent's restart answer). JSON: /api/rollouts, /api/rollouts/ID, \
            /api/rollouts/ID/events (server-sent events). Read-only: anything but GET and HEAD is 405. Binds to \
            loopback by default; any other address needs --token (or ROLLOUT_SERVE_TOKEN), which every request then \
            carries as `Authorization: Bearer TOKEN` or `?token=TOKEN`. Prints `serving http://HOST:PORT/` once it \
            listens; stops on Ctrl-C or SIGTERM. Exit 2: bad options or no journal.
            """)

    @Option(name: .customLong("state"), help: ArgumentHelp(JournalState.help, valueName: "path-or-url"))
    var stateOption: String?

    @Option(name: .long, help: "HOST:PORT to listen on (port 0: any free port).")
    var listen: String = "127.0.0.1:8080"

    @Option(name: .long, help: "Require this token on every request (default: $ROLLOUT_SERVE_TOKEN).")
    var token: String?

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            printError("--listen '\(listen)': use HOST:PORT, e.g. 127.0.0.1:8080")
            throw RolloutExit.invalidInput
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let token =
            token ?? ProcessInfo.processInfo.environment["ROLLOUT_SERVE_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1"
        if !loopback && token == nil {
            printError("--listen \(listen) is not a loopback address: pass --token (or ROLLOUT_SERVE_TOKEN) as well")
            throw RolloutExit.invalidInput
        }
        let state = JournalState.resolve(stateOption)
        let journal: JournalStore
        do {
            guard let opened = try await JournalState.openExisting(state) else {
                printError("no journal at \(state): pass --state PATH (a rollout creates it)")
                throw RolloutExit.invalidInput
            }
            journal = opened
        } catch let error where JournalState.exit(for: error) != nil {
            let exit = JournalState.exit(for: error)!
            printError("cannot open the journal \(JournalState.display(state)): \(exit.message)")
            throw ExitCode(exit.code)
        }
        try await RolloutServer(journal: journal, token: token).run(host: host, port: port) { bound in
            StandardStream.output.write("serving http://\(host.contains(":") ? "[\(host)]" : host):\(bound)/\n")
        }
    }
}
