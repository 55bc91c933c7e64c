import Foundation
import RolloutConfig
import RolloutCore
import RolloutGateway
import RolloutJSON
import RolloutModel
import RolloutStore

/// Everything the per-host pipeline needs from the run it belongs to.
public struct DeployContext: Sendable {
    public var rolloutID: Int64
    public var plan: Plan
    public var journal: JournalStore
    public var fleet: FleetConnections
    /// Inventory hosts by name (the deployed ones and any gateway host).
    public var inventoryHosts: [String: InventoryHost]
    public var observer: any DeployObserver
    public var stop: StopSignal
    /// The project directory: the artifact path is relative to it.
    public var baseDirectory: String
    /// `rollout rollback`: use the release already on each host, never upload (the local artifact is another
    /// version).
    public var reuseReleasesOnly = false
    /// The traffic gateway of a `drain` rollout; its driver drains, waits and restores.
    public var gateway: GatewayBinding?
    /// The fencing token of the lock this run holds (``LockLease/fence``), sent to the agents with every restart and
    /// reload; nil sends none.
    public var fence: Int64?

    public init(
        rolloutID: Int64, plan: Plan, journal: JournalStore, fleet: FleetConnections,
        inventoryHosts: [String: InventoryHost], observer: any DeployObserver, stop: StopSignal,
        baseDirectory: String = "."
    ) {
        self.rolloutID = rolloutID
        self.plan = plan
        self.journal = journal
        self.fleet = fleet
        self.inventoryHosts = inventoryHosts
        self.observer = observer
        self.stop = stop
        self.baseDirectory = baseDirectory
    }

    /// Journals `phase` write-ahead, runs `body`, closes the phase with its outcome and detail; reports both ends.
    @discardableResult
    func phase(_ phase: Phase, host: String, detail: JSONValue? = nil, _ body: () async throws -> JSONValue?)
        async throws -> JSONValue?
    {
        let id = try await journal.beginPhase(phase, host: host, in: rolloutID, detail: detail)
        observer.event(.phaseStarted(host: host, phase: phase))
        let start = ContinuousClock.now
        do {
            let result = try await body()
            // Queued, not awaited: it commits with the next write of this host (the next phase's begin, or its
            // final status), which is awaited before anything else happens on the host.
            try journal.finishPhaseQueued(id, outcome: .ok, detail: result) { [observer] error in
                observer.event(.note("the journal could not close \(phase) of \(host): \(error)"))
            }
            observer.event(
                .phaseFinished(
                    host: host, phase: phase, outcome: .ok, error: nil,
                    milliseconds: (ContinuousClock.now - start).milliseconds))
            return result
        } catch {
            let failure = DeployError(error)
            let outcome: PhaseOutcome = failure.code == .interrupted ? .interrupted : .failed
            try? await journal.finishPhase(id, outcome: outcome, error: failure.description)
            // The host's agent refused our fencing token (only agents answer `lock-lost`): a newer holder of the
            // fleet's lock controls the hosts. Stop as a lost lease does, once this step is journaled.
            if failure.code == .lockLost { stop.fenceOff(host: host, failure.message) }
            observer.event(
                .phaseFinished(
                    host: host, phase: phase, outcome: outcome, error: failure.description,
                    milliseconds: (ContinuousClock.now - start).milliseconds))
            throw failure
        }
    }

    /// Runs a planned command where it belongs: the host itself, another inventory host (a gateway), or the
    /// controller.
    @discardableResult
    func run(_ command: PlannedCommand, on shell: HostShell) async throws -> (status: Int32, stdout: String) {
        if command.on == shell.host {
            let result = try await shell.run(command)
            return (result.exitStatus ?? -1, result.stdoutText)
        }
        let runner: any GatewayCommandRunner
        if command.on == PlannedCommand.controller {
            runner = LocalGatewayRunner()
        } else {
            guard let host = inventoryHosts[command.on] else {
                throw DeployError(.local, "`\(command.on)` (where `\(command.line)` runs) is not in the inventory")
            }
            runner = SSHGatewayRunner(host: host, fleet: fleet)
        }
        let result = try await runner.run(
            command.line, stdin: command.stdin.map { Array($0.utf8) }, timeout: command.timeout ?? .seconds(60))
        if result.status != 0 && !command.mayFail {
            throw DeployError(
                .command, "`\(command.line)` on \(command.on): exit \(result.status): \(result.stderr.suffix(300))")
        }
        return (result.status, result.stdout)
    }
}
