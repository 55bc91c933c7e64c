import ArgumentParser
import Foundation
import RolloutConfig
import RolloutCore
import RolloutEngine
import RolloutReport
import RolloutStore

/// The options every command that changes hosts shares: journal, output, JUnit, lock wait.
struct DeployRunOptions: ParsableArguments {
    @Option(name: .customLong("state"), help: ArgumentHelp(JournalState.help, valueName: "path-or-url"))
    var stateOption: String?

    /// The journal named by `--state`, `ROLLOUT_STATE` or the default.
    var state: String { JournalState.resolve(stateOption) }

    @Option(name: .shortAndLong, help: "text (progress for people) or json (one JSON event per line on stdout).")
    var output: OutputFormat = .text

    @Option(name: .long, help: "Write a JUnit XML report (one test case per host) to this file.")
    var junit: String?

    @Option(
        name: .long,
        help: "Write the rollout's HTML report (summary, failures, timeline, hosts; self-contained) to this file.")
    var htmlReport: String?

    @Option(name: .long, help: "Wait this long for another rollout's lock (e.g. 5m); default: fail at once (exit 5).")
    var lockWait: String = "0s"

    @Option(
        name: .long,
        help: "The lock's lease: renewed every third of it; a controller on another host takes it over once expired.")
    var lockLease: String = "60s"

    func validate() throws {
        _ = try parsedLockWait()
        _ = try parsedLockLease()
    }

    func parsedLockLease() throws -> Duration {
        let lease: Duration
        do { lease = try ConfigDuration.parse(lockLease) } catch { throw ValidationError("--lock-lease: \(error)") }
        guard lease >= .seconds(1) else { throw ValidationError("--lock-lease: at least 1s, got \(lockLease)") }
        return lease
    }

    func parsedLockWait() throws -> Duration {
        do { return try ConfigDuration.parse(lockWait) } catch { throw ValidationError("--lock-wait: \(error)") }
    }

    /// Opens (creating when needed) the journal; a journal that cannot be opened ends the command with its
    /// message and exit code (2, or 8 for an unreachable PostgreSQL).
    func openJournal() async throws -> JournalStore {
        do {
            return try await JournalState.open(state)
        } catch {
            let exit = JournalState.exit(for: error) ?? (RolloutExit.invalidInput.rawValue, "\(error)")
            printError("cannot open the journal \(JournalState.display(state)): \(exit.message)")
            throw ExitCode(exit.code)
        }
    }
}

/// Wires a rollout to the terminal: observers, Ctrl-C, the JUnit file and the exit code.
struct DeploySession {
    let options: DeployRunOptions
    let connection: ConnectionOptions

    /// Runs `body` with ready settings; prints the outcome and exits with its code.
    func run(
        inventory: Inventory, plan: Plan, vars: [String] = [], simulation: SimulatedFleet? = nil,
        _ body: (RolloutSettings) async throws -> RolloutOutcome
    ) async throws -> Never {
        let journal = try await options.openJournal()
        let junit = options.junit.map { JUnitObserver(path: $0) }
        var observers: [any DeployObserver] = [
            options.output == .json ? JSONLinesObserver() : TextObserver(terminal: isatty(STDOUT_FILENO) == 1)
        ]
        if let junit { observers.append(junit) }
        let observer = DeployObservers(observers)
        let stop = StopSignal()
        let signals = InterruptHandler(stop: stop, observer: observer)
        let deadline = RolloutDeadline.start(plan.timeouts.rollout, stop: stop, observer: observer)
        defer { deadline.cancel() }
        // A rollout runs a dozen small commands per host: one shared shell per host spares a login shell each.
        var ssh = connection.sshOptions
        ssh.sharedShell = true
        let fleet =
            simulation?.connections()
            ?? FleetConnections(resolver: EndpointResolver(inventory: inventory), options: ssh)
        var settings = RolloutSettings(
            inventory: inventory, journal: journal, fleet: fleet, observer: observer, stop: stop,
            identity: ControllerIdentity.current(ciJob: CIJob.detect(ProcessInfo.processInfo.environment)),
            lockWait: try options.parsedLockWait(), lease: try options.parsedLockLease(),
            baseDirectory: FileManager.default.currentDirectoryPath)
        settings.extraVars = vars
        settings.simulation = simulation?.spec
        do {
            settings.gateway = try GatewayBinding.make(
                playbook: try Playbook.load(plan.playbook), inventory: inventory, hosts: plan.hosts.map(\.name),
                extraVars: try ExtraVariables.parse(vars), version: plan.version.version, fleet: fleet)
        } catch {
            printError(error)
            throw RolloutExit.invalidInput
        }
        let outcome: RolloutOutcome
        do {
            outcome = try await body(settings)
        } catch let error as LockHeldError {
            await fleet.closeAll()
            printError(error.description)
            throw RolloutExit.lockHeld
        } catch let error as ExitCode {
            await fleet.closeAll()
            throw error
        } catch {
            await fleet.closeAll()
            // A PostgreSQL journal that stayed unreachable past its retries: exit 8, as when it cannot be opened.
            let exit = JournalState.exit(for: error) ?? (RolloutExit.internalError.rawValue, "\(error)")
            printError(exit.message)
            throw ExitCode(exit.code)
        }
        await fleet.closeAll()
        signals.cancel()
        if let junit {
            do { try junit.write() } catch { printError("cannot write the JUnit report \(junit.path): \(error)") }
        }
        if let path = options.htmlReport, let id = outcome.id {
            await Self.writeReport(rollout: id, journal: journal, to: path)
        }
        await journal.close()
        throw ExitCode(outcome.exitCode)
    }

    /// The rollout's HTML report, whatever its outcome (a CI job publishes it as an artifact). Written to a temporary
    /// name and renamed, so a reader never sees half a file; a failure to write it is reported, not fatal.
    static func writeReport(rollout id: Int64, journal: JournalStore, to path: String) async {
        do {
            guard let detail = try await journal.rollout(id, includeJSON: true) else { return }
            let temporary = path + ".tmp-\(getpid())"
            try Data(RolloutReport.html(detail).utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else {
                unlink(temporary)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        } catch {
            printError("cannot write the HTML report \(path): \(error)")
        }
    }
}
