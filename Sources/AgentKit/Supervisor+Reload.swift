import Foundation
import Glibc

extension Supervisor {
    /// `reload-service`: sends the configured reload signal to the serving generation's main process only
    /// (never its group, never a draining or starting generation) and answers once the service confirmed:
    /// `RELOADING=1` then `READY=1` on its notify socket (an `ERRNO=` in between means it rejected the new
    /// configuration and kept the old one), or a passing readiness probe for services that do not notify.
    /// Refused while a restart, a stop, an agent upgrade or another reload is in progress.
    func beginReloadService(requester: ControlConnection) {
        if let busy = reloadRefusal {
            finish(requester, .refused("reload-service", busy))
            agentLog("reload-service refused: \(busy)")
            return
        }
        guard let generation = current, generation.state == .ready else {
            finish(requester, .refused("reload-service", "no generation is serving; start one with `ctl restart`"))
            return
        }
        let signal = SignalName.number(config.reload.signal) ?? SIGHUP
        let now = MonotonicClock.now()
        let phase: ReloadOperation.Phase
        switch config.readiness.type {
        case .notify: phase = .awaitingReloading
        case .http, .tcp: phase = .probing
        case .delay: phase = .delaying
        }
        var operation = ReloadOperation(
            generation: generation.number, pid: generation.pid, signal: signal, requestedMono: now,
            deadline: now + Int64(config.reload.timeout.milliseconds), phase: phase, requesters: [requester])
        // A probe at once could be answered before the service has even seen the signal.
        if phase == .probing { operation.nextProbe = now + Int64(config.readiness.interval.milliseconds) }
        if phase == .delaying { operation.confirmAt = now + Int64(config.readiness.delay.milliseconds) }
        reloading = operation
        guard kill(generation.pid, signal) == 0 else {
            completeReload(outcome: "failed", reason: "kill(\(generation.pid)): \(String(cString: strerror(errno)))")
            return
        }
        agentLog("generation \(generation.number) (pid \(generation.pid)) sent \(SignalName.name(signal)) to reload")
    }

    /// Why a reload cannot start now, or nil.
    private var reloadRefusal: String? {
        if stopping { return "the agent is stopping" }
        if let operation {
            return "a restart is in progress (\(operation.summary)); retry when it finishes"
        }
        if upgrade != nil { return "an agent upgrade is in progress; retry when it finishes" }
        if let reloading { return "a reload of generation \(reloading.generation) is in progress" }
        return nil
    }

    /// A notify message of the generation being reloaded: `STATUS=`, `ERRNO=`, `RELOADING=1`, `READY=1`.
    func handleReloadNotify(_ generation: Generation, _ fields: [String: String]) {
        guard var operation = reloading, operation.generation == generation.number else { return }
        if let status = fields["STATUS"] { operation.status = status }
        if let text = fields["ERRNO"], let code = Int(text), code != 0 { operation.errno = code }
        if fields["RELOADING"] == "1", operation.phase == .awaitingReloading { operation.phase = .awaitingReady }
        reloading = operation
        guard fields["READY"] == "1", operation.phase == .awaitingReady else { return }
        if let code = operation.errno {
            completeReload(
                outcome: "failed",
                reason: "the service rejected the new configuration (ERRNO=\(code)"
                    + (operation.status.map { ": \($0)" } ?? "") + ") and keeps serving the previous one")
        } else {
            completeReload(outcome: "ok", reason: nil, confirmedBy: "notify")
        }
    }

    /// A readiness probe's result for the generation being reloaded.
    func handleReloadProbe(_ result: ReadinessProber.Result) {
        guard var operation = reloading else { return }
        operation.probeInFlight = false
        if result.ready {
            reloading = operation
            completeReload(outcome: "ok", reason: nil, confirmedBy: config.readiness.type.rawValue)
        } else {
            operation.status = result.detail
            operation.nextProbe = MonotonicClock.now() + Int64(config.readiness.interval.milliseconds)
            reloading = operation
        }
    }

    /// True when a probe result belongs to the reload rather than to a starting generation.
    func isReloadProbe(_ result: ReadinessProber.Result) -> Bool {
        reloading.map { $0.generation == result.generation && $0.phase == .probing } ?? false
    }

    /// The reloaded generation exited: the reload failed, whatever the service printed.
    func reloadTargetExited(_ generation: Generation, _ exit: ExitStatus) {
        guard let operation = reloading, operation.generation == generation.number else { return }
        completeReload(
            outcome: "failed",
            reason: "generation \(generation.number) (pid \(generation.pid)) \(exit) while reloading",
            logTail: generation.log.tail)
    }

    /// Deadlines, probes and the `delay` confirmation of a reload in progress.
    func fireReloadTimers(now: Int64) {
        guard var operation = reloading else { return }
        if now >= operation.deadline {
            let waited =
                switch operation.phase {
                case .awaitingReloading: "RELOADING=1"
                case .awaitingReady: "READY=1 after RELOADING=1"
                case .probing: "a passing \(config.readiness.type.rawValue) probe"
                case .delaying: "the delay"
                }
            let tail = generations.first { $0.number == operation.generation }?.log.tail
            completeReload(
                outcome: "failed",
                reason: "no \(waited) from generation \(operation.generation) within "
                    + "\(config.reload.timeout.milliseconds) ms" + (operation.status.map { " (\($0))" } ?? ""),
                logTail: tail)
            return
        }
        if let at = operation.confirmAt, now >= at {
            completeReload(outcome: "ok", reason: nil, confirmedBy: "delay")
            return
        }
        if let next = operation.nextProbe, now >= next, !operation.probeInFlight {
            operation.nextProbe = nil
            operation.probeInFlight = true
            reloading = operation
            prober.probe(
                generation: operation.generation, pid: operation.pid, readiness: config.readiness,
                address: probeAddress)
        }
    }

    /// The agent stops: a reload waiting for confirmation will never get it.
    func abandonReload() {
        guard reloading != nil else { return }
        completeReload(outcome: "failed", reason: "the agent is stopping")
    }

    /// Ends the reload and answers everyone waiting for it.
    func completeReload(outcome: String, reason: String?, confirmedBy: String? = nil, logTail: [String]? = nil) {
        guard let operation = reloading else { return }
        reloading = nil
        let generation = generations.first { $0.number == operation.generation }
        var response = ControlResponse(command: "reload-service", outcome: outcome, reason: reason)
        response.generation = operation.generation
        response.pid = operation.pid
        response.version = generation?.version
        response.release = generation?.release
        response.signal = SignalName.name(operation.signal)
        response.reloadMs = Int(MonotonicClock.now() - operation.requestedMono)
        response.confirmedBy = confirmedBy
        response.serviceStatus = operation.status
        response.errno = operation.errno
        if outcome != "ok" { response.logTail = logTail ?? generation?.log.tail }
        agentLog(
            "reload of generation \(operation.generation) \(outcome == "ok" ? "confirmed" : "failed")"
                + (reason.map { ": \($0)" } ?? "") + " after \(response.reloadMs ?? 0) ms")
        for requester in operation.requesters { finish(requester, response) }
    }
}
