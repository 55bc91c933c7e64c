import ArgumentParser
import Foundation
import RolloutDev

/// `rollout dev`: the hot-compile loop on the production handoff.
struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch files, rebuild on change and hot-restart the service with zero dropped connections.",
        discussion: """
            Builds with --build, then runs --run under a rollout-agent on the --listen sockets (the service gets them \
            as LISTEN_FDS from fd 3, like in production). On every settled batch of file changes (inotify, \
            recursive, .gitignore respected, --include/--exclude globs, --debounce) it rebuilds and asks the agent \
            for a hot restart: the new generation takes over the same sockets only once it is ready, so no \
            connection is refused. A failed build, or a generation that is not ready within --ready-timeout, leaves \
            the previous one serving and prints the build's or the service's last lines; the next change tries \
            again. A change of --reload files only sends the service its reload signal (SIGHUP). Ctrl-C drains \
            the service and exits 0 (so does SIGTERM, or SIGHUP when the terminal goes away). Exit codes: 0 stopped, 1 \
            the agent died, 2 invalid input.
            """
    )

    @Option(help: "The build command (run with /bin/sh -c in the current directory).")
    var build: String

    @Option(help: "The service command (run with /bin/sh -c 'exec CMD' in the current directory).")
    var run: String

    @Option(parsing: .singleValue, help: "A directory to watch, recursively (repeatable; default: .).")
    var watch: [String] = []

    @Option(parsing: .singleValue, help: "Only changes of files matching this gitignore-style glob count (repeatable).")
    var include: [String] = []

    @Option(
        parsing: .singleValue, help: "Ignore paths matching this gitignore-style glob (repeatable; beyond .gitignore).")
    var exclude: [String] = []

    @Option(parsing: .singleValue, help: "A changed file matching this glob only reloads the service (repeatable).")
    var reload: [String] = []

    @Option(
        parsing: .singleValue,
        help: "[NAME=]HOST:PORT or [NAME=]unix:PATH the agent listens on (repeatable; default 127.0.0.1:8080).")
    var listen: [String] = []

    @Option(help: "Readiness: notify (READY=1), http[:PATH[,pid-header=NAME]], tcp or delay:DURATION.")
    var ready = "notify"

    @Option(help: "A new generation not ready within this is killed and the previous one keeps serving.")
    var readyTimeout = "30s"

    @Option(help: "How long changes must settle before a build starts.")
    var debounce = "20ms"

    @Option(help: "A build still running after this is killed (its process group) and counts as failed.")
    var buildTimeout = "10m"

    @Option(help: "The rollout-agent binary (default: the one beside rollout).")
    var agent: String?

    @Option(name: .shortAndLong, help: "text (a status line) or json (one event per line, for editors).")
    var output: OutputFormat = .text

    func run() async throws {
        let options: DevOptions
        do {
            options = DevOptions(
                build: build, run: self.run, watch: watch.isEmpty ? ["."] : watch, includes: include,
                excludes: exclude, reload: reload, listen: listen.isEmpty ? ["127.0.0.1:8080"] : listen,
                readiness: try DevOptions.parseReadiness(ready),
                readyTimeout: try Self.duration(readyTimeout, "--ready-timeout"),
                debounce: try Self.duration(debounce, "--debounce"),
                buildTimeout: try Self.duration(buildTimeout, "--build-timeout"),
                workingDirectory: FileManager.default.currentDirectoryPath)
        } catch {
            StandardStream.error.write("rollout dev: \(error)\n")
            throw RolloutExit.invalidInput
        }
        let stop = StopFlag()
        var sources: [DispatchSourceSignal] = []
        // Ctrl-C, SIGTERM, and the terminal going away: drain the service and stop the agent rather than leave it.
        for signo in [SIGINT, SIGTERM, SIGHUP] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { stop.set() }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        let session: DevSession
        do {
            session = try DevSession(
                options: options, agentBinary: agent ?? AgentInstall.siblingAgent(),
                output: DevOutput(format: output == .json ? .json : .text), shouldStop: { stop.isSet })
        } catch {
            StandardStream.error.write("rollout dev: \(error)\n")
            throw RolloutExit.invalidInput
        }
        let status = await session.run()
        if status != 0 { throw ExitCode(status) }
    }

    static func duration(_ text: String, _ option: String) throws -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value > 0 {
                return .milliseconds(Int64(value * scale * 1000))
            }
        }
        throw DevError("\(option) '\(text)': use a duration such as 50ms, 2s or 10m")
    }
}

/// Set once by SIGINT or SIGTERM.
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
