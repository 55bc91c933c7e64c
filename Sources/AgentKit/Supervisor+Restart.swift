import Foundation
import Glibc

extension Supervisor {
    /// Starts a new generation: `hot` beside the serving one, `cold` once the serving one has stopped
    /// (`beginColdRestart`). Refused while another restart runs or the agent stops; the requester (if any)
    /// is answered when the operation has finished.
    func beginRestart(
        _ trigger: RestartOperation.Trigger, mode: RestartOperation.Mode = .hot, requester: ControlConnection?
    ) {
        if stopping {
            refuse(requester, "the agent is stopping")
            return
        }
        if let operation {
            refuse(requester, "a restart is already in progress (\(operation.summary)); retry when it finishes")
            agentLog("restart refused: one is already in progress")
            return
        }
        if upgrade != nil {
            refuse(requester, "an agent upgrade is in progress; retry when it finishes")
            return
        }
        if let reloading {
            refuse(requester, "a reload of generation \(reloading.generation) is in progress; retry when it finishes")
            return
        }
        crashRestartAt = nil
        if mode == .cold, let old = current {
            beginColdRestart(stopping: old, trigger: trigger, requester: requester)
            return
        }
        let old = current
        let requested = MonotonicClock.now()
        do {
            let generation = try startGeneration()
            operation = RestartOperation(
                trigger: trigger, mode: mode, generation: generation.number, newPid: generation.pid,
                oldGeneration: old?.number, oldPid: old?.pid, requestedMono: requested,
                requesters: requester.map { [$0] } ?? [])
            agentLog("generation \(generation.number) started (pid \(generation.pid), \(trigger.rawValue))")
        } catch {
            counters.failed += 1
            agentLog("start failed: \(error)")
            var response = ControlResponse(command: "restart", outcome: "failed", reason: "\(error)")
            response.mode = mode.rawValue
            response.oldPid = old?.pid
            if let requester { finish(requester, response) }
            if current == nil { scheduleCrashRestart(after: nil) }
        }
    }

    func refuse(_ requester: ControlConnection?, _ reason: String) {
        if let requester { finish(requester, .refused("restart", reason)) }
    }

    /// Spawns the next generation with the active listeners, its own notify socket and log pipe;
    /// `release` pins the release directory instead of resolving `release_link` (see `LaunchPlan`).
    func startGeneration(release: String? = nil) throws -> Generation {
        let plan = try LaunchPlan.resolve(config, agentEnvironment: agentEnvironment, release: release)
        let number = nextGeneration
        nextGeneration += 1
        let notifyPath = "\(config.notifyDirectory)/\(config.service).notify.\(number)"
        let notify = try NotifySocket(path: notifyPath, owner: plan.identity.map { ($0.uid, $0.gid) })
        let (log, writeFD) = try ServiceLog.makePipe(generation: number, tailLimit: config.log.tailLines)
        let active = listeners.active
        let pid: pid_t
        do {
            pid = try ProcessSpawner.spawn(
                plan, listeners: active,
                extraEnvironment: [
                    "NOTIFY_SOCKET=\(notifyPath)", "ROLLOUT_GENERATION=\(number)", "ROLLOUT_SERVICE=\(config.service)",
                ] + (plan.release.map { ["ROLLOUT_RELEASE=\($0)"] } ?? []),
                outputFD: writeFD)
        } catch {
            close(writeFD)
            log.close()
            notify.close()
            throw error
        }
        close(writeFD)
        log.pid = pid
        let holder = log.startHolder(sink: sink)
        if holder == nil {
            agentLog(
                "generation \(number): cannot fork its log holder (\(String(cString: strerror(errno)))); "
                    + "it gets SIGPIPE on its next line if the agent dies")
        }
        let now = MonotonicClock.now()
        let generation = Generation(
            number: number, pid: pid, release: plan.release, version: plan.version, state: .starting,
            startedWall: Date(), startedMono: now, listenerFDs: active.map(\.fd), notify: notify, log: log)
        generation.logHolder = holder.flatMap(ProcessIdentity.current)
        _ = generation.identity
        generation.readyDeadline = now + Int64(config.readiness.timeout.milliseconds)
        if config.readiness.type == .http || config.readiness.type == .tcp { generation.nextProbe = now }
        generations.append(generation)
        // Recorded before it can serve: an agent killed from here on leaves a record that names it.
        persistRecord()
        return generation
    }

    func handleNotify(_ generation: Generation) {
        guard let notify = generation.notify else { return }
        for message in notify.receiveAll() {
            guard generation.accepts(sender: message.sender) else {
                agentLog(
                    "ignored notify message from pid \(message.sender) on generation \(generation.number)'s socket")
                continue
            }
            if let status = message.fields["STATUS"] { generation.statusText = status }
            handleReloadNotify(generation, message.fields)
            if message.fields["READY"] == "1", config.readiness.type == .notify, generation.state == .starting,
                generation.failureReason == nil
            {
                markReady(generation)
            }
        }
    }

    func handleProbe(_ result: ReadinessProber.Result) {
        if isReloadProbe(result) {
            handleReloadProbe(result)
            return
        }
        guard let generation = generations.first(where: { $0.number == result.generation }) else { return }
        generation.probeInFlight = false
        guard generation.state == .starting, generation.failureReason == nil else { return }
        if result.ready {
            markReady(generation)
        } else {
            generation.nextProbe = MonotonicClock.now() + Int64(config.readiness.interval.milliseconds)
        }
    }

    /// The new generation serves: it becomes current and the old one is told to drain.
    func markReady(_ generation: Generation) {
        let now = MonotonicClock.now()
        generation.state = .ready
        generation.readyMono = now
        generation.readyMilliseconds = Int(now - generation.startedMono)
        generation.readyDeadline = nil
        generation.nextProbe = nil
        let old = current
        current = generation
        agentLog(
            "generation \(generation.number) (pid \(generation.pid)) ready after \(generation.readyMilliseconds ?? 0) ms"
        )
        if !readyNotified {
            readyNotified = true
            Systemd.notify(
                "READY=1\nMAINPID=\(getpid())\nSTATUS=serving generation \(generation.number)",
                socketPath: systemdSocket)
        } else {
            Systemd.notify("STATUS=serving generation \(generation.number)", socketPath: systemdSocket)
        }
        guard var operation, operation.generation == generation.number else { return }
        operation.readyMs = Int(now - operation.requestedMono)
        if operation.failedStart != nil {
            self.operation = operation
            completeRestored(generation)
        } else if let old, old !== generation, generations.contains(where: { $0 === old }) {
            drain(old, now: now)
            operation.drainingOld = true
            operation.drainStartedMono = now
            self.operation = operation
        } else {
            self.operation = operation
            completeOperation(outcome: "ok", reason: nil, failed: nil)
        }
    }

    /// Sends the stop signal and arms the drain deadline.
    func drain(_ generation: Generation, now: Int64) {
        guard generation.state != .draining else { return }
        generation.state = .draining
        generation.drainStartedMono = now
        generation.readyDeadline = nil
        generation.nextProbe = nil
        generation.killDeadline = now + Int64(config.stop.drainTimeout.milliseconds)
        let signal = SignalName.number(config.stop.signal) ?? SIGTERM
        kill(generation.pid, signal)
        agentLog("generation \(generation.number) (pid \(generation.pid)) sent \(SignalName.name(signal)) to drain")
    }

    /// Ends the running operation and answers everyone waiting for it.
    func completeOperation(outcome: String, reason: String?, failed: Generation?) {
        guard let operation else { return }
        self.operation = nil
        let now = MonotonicClock.now()
        var response = ControlResponse(command: "restart", outcome: outcome, reason: reason)
        response.mode = operation.mode.rawValue
        response.generation = operation.generation
        response.newPid = operation.newPid
        response.oldPid = operation.oldPid
        response.oldStopMs = operation.oldStopMs
        response.newStartMs = operation.newStartMs
        let generation = failed ?? generations.first { $0.number == operation.generation }
        response.release = generation?.release
        response.version = generation?.version
        if let failedStart = operation.failedStart {
            describe(failedStart, restoredBy: failed == nil ? generation : nil, in: &response)
        }
        if outcome == "ok" {
            counters.hot += operation.trigger == .request && operation.mode == .hot ? 1 : 0
            counters.crashRestarts += operation.trigger == .crash ? 1 : 0
            response.readyMs = operation.readyMs
            response.drainMs = operation.drainStartedMono.map { Int(now - $0) }
            response.handoffMs = Int(now - operation.requestedMono)
            response.oldKilled = operation.oldGeneration == nil ? nil : operation.oldKilled
            agentLog("restart to generation \(operation.generation ?? 0) finished in \(response.handoffMs ?? 0) ms")
        } else {
            counters.failed += 1
            response.logTail = response.logTail ?? failed?.log.tail
            agentLog("restart to generation \(operation.generation ?? 0) failed: \(reason ?? "")")
        }
        for requester in operation.requesters { finish(requester, response) }
        if outcome != "ok", current == nil, !stopping { scheduleCrashRestart(after: nil) }
    }

    /// Arms the next automatic start after a crash (or a failed start with nothing serving).
    func scheduleCrashRestart(after crashed: Generation?) {
        guard !stopping else { return }
        switch config.restart.policy {
        case .never: return
        case .onFailure, .always: break
        }
        if let crashed, let ready = crashed.readyMono,
            MonotonicClock.now() - ready >= Int64(config.restart.resetAfter.milliseconds)
        {
            crashStreak = 0
        }
        crashStreak += 1
        let delay = config.restart.backoff(streak: crashStreak)
        crashRestartAt = MonotonicClock.now() + Int64(delay)
        agentLog("next start in \(delay) ms (crash streak \(crashStreak))")
    }
}
