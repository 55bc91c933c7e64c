internal import CAgentSupport
import Foundation
import Glibc

extension Supervisor {
    /// Collects every exited child (signals coalesce, so loop until none is left).
    func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid < 0 && errno == EINTR { continue }
            if pid <= 0 { break }
            let exit =
                cas_wifexited(status) != 0
                ? ExitStatus(code: cas_wexitstatus(status), signal: nil)
                : ExitStatus(code: nil, signal: cas_wifsignaled(status) != 0 ? cas_wtermsig(status) : nil)
            if let generation = generations.first(where: { $0.pid == pid }) {
                generationExited(generation, exit)
            } else if let upgrade, upgrade.pid == pid {
                upgradeCheckExited(exit)
            }
            // Anything else is a re-parented orphan (we are a subreaper): reaped, nothing to do.
        }
    }

    /// A generation's main process ended: clean up its group and decide what it means.
    func generationExited(_ generation: Generation, _ exit: ExitStatus) {
        generations.removeAll { $0 === generation }
        // Leftover processes of its group would be orphans holding the listeners: kill them.
        generation.signalGroup(SIGKILL)
        generation.log.drain(into: sink)
        generation.log.close()
        generation.notify?.close()
        generation.notify = nil
        if let pidFD = generation.pidFD { close(pidFD) }
        generation.pidFD = nil
        listeners.closeRetired(inUse: Set(generations.flatMap(\.listenerFDs)))
        agentLog("generation \(generation.number) (pid \(generation.pid)) \(exit) [\(generation.state.rawValue)]")
        reloadTargetExited(generation, exit)

        switch generation.state {
        case .starting:
            if let operation, operation.generation == generation.number {
                let reason =
                    generation.failureReason
                    ?? "generation \(generation.number) (pid \(generation.pid)) \(exit) before it was ready"
                if operation.mode == .cold {
                    coldStartFailed(reason: reason, generation: generation)
                } else {
                    completeOperation(outcome: "failed", reason: reason, failed: generation)
                }
            }
        case .ready:
            if current === generation { current = nil }
            guard !stopping else { break }
            counters.crashes += 1
            agentLog("the running service crashed: generation \(generation.number) \(exit)")
            let restart = config.restart.policy == .always || (config.restart.policy == .onFailure && !exit.succeeded)
            if restart && operation == nil {
                scheduleCrashRestart(after: generation)
            }
        case .draining:
            if current === generation { current = nil }
            if let operation, operation.drainingOld, operation.oldGeneration == generation.number {
                completeOperation(outcome: "ok", reason: nil, failed: nil)
            } else if let operation, operation.stoppingOld, operation.oldGeneration == generation.number {
                coldOldStopped(exit)
            }
        }
        if stopping && generations.isEmpty { finishStop() }
    }

    /// Deadlines: readiness, probes, fixed delays, drain kills, crash backoff, idle connections.
    func fireTimers(now: Int64) {
        for generation in generations {
            switch generation.state {
            case .starting:
                if let deadline = generation.readyDeadline, now >= deadline, generation.failureReason == nil {
                    generation.failureReason =
                        "generation \(generation.number) (pid \(generation.pid)) was not ready within "
                        + "\(config.readiness.timeout.milliseconds) ms (\(config.readiness.type.rawValue) readiness); killed"
                    generation.readyDeadline = nil
                    generation.nextProbe = nil
                    generation.signalGroup(SIGKILL)
                } else if config.readiness.type == .delay, generation.failureReason == nil,
                    now >= generation.startedMono + Int64(config.readiness.delay.milliseconds)
                {
                    markReady(generation)
                } else if let next = generation.nextProbe, now >= next, !generation.probeInFlight,
                    generation.failureReason == nil
                {
                    generation.probeInFlight = true
                    generation.nextProbe = nil
                    prober.probe(
                        generation: generation.number, pid: generation.pid, readiness: config.readiness,
                        address: probeAddress)
                }
            case .draining:
                if let deadline = generation.killDeadline, now >= deadline {
                    generation.killDeadline = nil
                    generation.killedAfterDrain = true
                    if operation?.oldGeneration == generation.number { operation?.oldKilled = true }
                    agentLog("generation \(generation.number) still running after the drain deadline; SIGKILL")
                    generation.signalGroup(SIGKILL)
                }
            case .ready:
                break
            }
        }
        if let at = crashRestartAt, now >= at {
            crashRestartAt = nil
            beginRestart(current == nil && counters.crashes == 0 ? .initial : .crash, requester: nil)
        }
        if let upgrade, now >= upgrade.deadline { upgrade.timedOut() }
        fireReloadTimers(now: now)
        for connection in connections where connection.request == nil && now - connection.acceptedMono > 10_000 {
            finish(connection, ControlResponse(command: "", outcome: "error", reason: "no request within 10 s"))
        }
    }

    /// Where http/tcp probes go: `readiness.address`, else the first TCP listener.
    var probeAddress: String {
        config.readiness.address ?? config.listeners.first { $0.tcp != nil }?.tcp ?? ""
    }

    /// TERM/INT/`ctl stop`: drain every generation, then exit once all are reaped.
    func beginStop(requester: ControlConnection?) {
        if let requester { stopRequesters.append(requester) }
        guard !stopping else { return }
        stopping = true
        crashRestartAt = nil
        abandonReload()
        Systemd.notify("STOPPING=1", socketPath: systemdSocket)
        let now = MonotonicClock.now()
        for generation in generations {
            if generation.state == .starting && generation.failureReason == nil {
                generation.failureReason =
                    "the agent is stopping; generation \(generation.number) was stopped before it was ready"
            }
            drain(generation, now: now)
        }
        if generations.isEmpty { finishStop() }
    }

    /// Everything is reaped: answer, release every resource and leave the event loop.
    func finishStop() {
        killStrayChildren()
        var response = ControlResponse(command: "stop", outcome: "ok")
        response.restarts = counters
        for requester in stopRequesters { finish(requester, response) }
        stopRequesters = []
        for connection in connections {
            connection.respond(.refused(connection.request?.command ?? "", "the agent has stopped"))
        }
        connections = []
        removeListenersFromFDStore()
        listeners.closeAll()
        control.close()
        if let pidFile = config.pidFile { unlink(pidFile) }
        // Nothing left to take over.
        unlink(recordPath)
        sink.close()
        agentLog("stopped")
        exitCode = 0
    }

    /// Kills and reaps any descendant still parented to the agent (orphans re-parented to us as a
    /// subreaper), so that nothing outlives the agent.
    func killStrayChildren() {
        let me = getpid()
        for _ in 0..<50 {
            let strays = Self.childPIDs(of: me)
            if strays.isEmpty { return }
            strays.forEach { kill($0, SIGKILL) }
            usleep(20_000)
            var status: Int32 = 0
            while waitpid(-1, &status, WNOHANG) > 0 {}
        }
    }

    static func childPIDs(of parent: pid_t) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard let pid = pid_t(entry), let fields = ProcessIdentity.statFields(pid), fields.count > 1 else {
                return nil
            }
            return pid_t(fields[1]) == parent ? pid : nil
        }
    }
}
