import Foundation
import Glibc

/// `ctl restart --cold`: stop the serving generation, wait for it to exit (SIGKILL after the drain
/// deadline), then start the new release on the same listening sockets and wait until it is ready.
///
/// The agent keeps the sockets open throughout, so connections that arrive while nothing runs wait in
/// the listen backlog instead of being refused. A new release that fails to become ready is replaced by
/// the previous release (the one the stopped generation ran), so the host is not left without a service;
/// the answer is then `failed` and names the restored generation.
extension Supervisor {
    func beginColdRestart(stopping old: Generation, trigger: RestartOperation.Trigger, requester: ControlConnection?) {
        // A release that cannot even be resolved must not cost the running service its life.
        do {
            _ = try LaunchPlan.resolve(config, agentEnvironment: agentEnvironment)
        } catch {
            counters.failed += 1
            var response = ControlResponse(
                command: "restart", outcome: "failed",
                reason: "\(error); generation \(old.number) (pid \(old.pid)) keeps serving")
            response.mode = RestartOperation.Mode.cold.rawValue
            response.oldPid = old.pid
            if let requester { finish(requester, response) }
            return
        }
        let now = MonotonicClock.now()
        var operation = RestartOperation(
            trigger: trigger, mode: .cold, generation: nil, newPid: nil, oldGeneration: old.number, oldPid: old.pid,
            requestedMono: now, requesters: requester.map { [$0] } ?? [])
        operation.stoppingOld = true
        operation.oldRelease = old.release
        self.operation = operation
        agentLog("cold restart: stopping generation \(old.number) (pid \(old.pid)) before the new release starts")
        drain(old, now: now)
    }

    /// The old generation is reaped: start the new release (unless the agent is stopping meanwhile).
    func coldOldStopped(_ exit: ExitStatus) {
        guard var operation else { return }
        operation.stoppingOld = false
        operation.oldStopMs = Int(MonotonicClock.now() - operation.requestedMono)
        self.operation = operation
        agentLog("cold restart: generation \(operation.oldGeneration ?? 0) stopped (\(exit))")
        if stopping {
            completeOperation(
                outcome: "failed", reason: "the agent is stopping; the new release was not started", failed: nil)
            return
        }
        startColdGeneration(release: nil)
    }

    /// Spawns the new release, or with `release` the previous one again; a spawn error counts as a failed start.
    private func startColdGeneration(release: String?) {
        do {
            let generation = try startGeneration(release: release)
            operation?.generation = generation.number
            operation?.newPid = generation.pid
            if release == nil, let requested = operation?.requestedMono {
                operation?.newStartMs = Int(MonotonicClock.now() - requested)
            }
            agentLog("generation \(generation.number) started (pid \(generation.pid), cold)")
        } catch {
            coldStartFailed(reason: "\(error)", generation: nil)
        }
    }

    /// The new release did not become ready: start the previous one once; if that fails too, give up
    /// (the crash restart policy takes over, as with nothing serving).
    func coldStartFailed(reason: String, generation: Generation?) {
        guard var operation else { return }
        guard operation.failedStart == nil, operation.oldGeneration != nil, !stopping else {
            let previous = operation.failedStart.map { "\($0.reason); then the previous release failed too: " } ?? ""
            completeOperation(outcome: "failed", reason: previous + reason, failed: generation)
            return
        }
        operation.failedStart = RestartOperation.FailedStart(
            reason: reason, generation: generation?.number ?? operation.generation, pid: generation?.pid,
            release: generation?.release, version: generation?.version, logTail: generation?.log.tail)
        operation.generation = nil
        operation.newPid = nil
        self.operation = operation
        agentLog("cold restart failed (\(reason)); starting the previous release \(operation.oldRelease ?? "") again")
        startColdGeneration(release: operation.oldRelease)
    }

    /// The previous release serves again after the new one failed: the restart is answered `failed`.
    func completeRestored(_ restored: Generation) {
        guard let failedStart = operation?.failedStart else { return }
        let release = restored.version ?? restored.release ?? "the previous release"
        completeOperation(
            outcome: "failed",
            reason:
                "\(failedStart.reason); the previous release \(release) serves again "
                + "(generation \(restored.number), pid \(restored.pid))",
            failed: nil)
    }

    /// Puts the failed new release in the answer's usual fields and the restored generation in `restored_*`.
    func describe(
        _ failedStart: RestartOperation.FailedStart, restoredBy restored: Generation?,
        in response: inout ControlResponse
    ) {
        response.generation = failedStart.generation
        response.newPid = failedStart.pid
        response.release = failedStart.release
        response.version = failedStart.version
        response.logTail = failedStart.logTail
        response.restoredGeneration = restored?.number
        response.restoredPid = restored?.pid
        response.restoredVersion = restored?.version
    }
}
