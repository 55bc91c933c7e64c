internal import CAgentSupport
import Foundation
import Glibc

extension Supervisor {
    /// `upgrade-agent`: checks `binary --version`, then execs it in place (same pid, same sockets,
    /// children untouched). Only while the service runs steadily: no restart, stop or other upgrade.
    func beginUpgrade(binary: String?, requester: ControlConnection) {
        guard let binary, binary.hasPrefix("/") else {
            finish(
                requester,
                ControlResponse(command: "upgrade-agent", outcome: "error", reason: "binary must be an absolute path"))
            return
        }
        guard !stopping, operation == nil, upgrade == nil, reloading == nil,
            generations.allSatisfy({ $0.state == .ready })
        else {
            finish(
                requester,
                .refused("upgrade-agent", "the agent is busy (\(state.rawValue)); retry when it is running steadily"))
            return
        }
        do {
            upgrade = try UpgradeCheck(.version, binary: binary, requester: requester, timeoutMilliseconds: 10_000)
            agentLog("upgrade-agent: checking \(binary) --version")
        } catch {
            finish(requester, ControlResponse(command: "upgrade-agent", outcome: "failed", reason: "\(error)"))
        }
    }

    func upgradeCheckExited(_ exit: ExitStatus) {
        guard let check = upgrade else { return }
        upgrade = nil
        check.readOutput()
        check.close()
        guard !stopping, operation == nil else {
            finish(check.requester, .refused("upgrade-agent", "the agent became busy during the check; retry"))
            return
        }
        switch check.stage {
        case .version:
            guard exit.succeeded, check.banner.hasPrefix("rollout-agent ") else {
                let reason =
                    "\(check.binary) --version \(exit) and printed '\(check.banner)'; expected 'rollout-agent VERSION'"
                finish(check.requester, ControlResponse(command: "upgrade-agent", outcome: "failed", reason: reason))
                return
            }
            do {
                let state = try snapshot(requester: check.requester).encoded()
                upgrade = try UpgradeCheck(
                    .state, binary: check.binary, state: state, requester: check.requester,
                    timeoutMilliseconds: 10_000)
                agentLog("upgrade-agent: checking that \(check.binary) reads this agent's state")
            } catch {
                finish(
                    check.requester, ControlResponse(command: "upgrade-agent", outcome: "failed", reason: "\(error)"))
            }
        case .state:
            guard exit.succeeded else {
                // Refused before the exec: the binary would not know its fds and children.
                var response = ControlResponse.refused(
                    "upgrade-agent",
                    "\(check.binary) cannot take over this agent's state (`run --check-state` \(exit): "
                        + "\(check.text.isEmpty ? "no output" : check.text)); rollout-agent \(AgentVersion.current) "
                        + "keeps running (state schema \(AgentStateSchema.written))")
                response.agent = agentInfo()
                response.version = AgentVersion.current
                agentLog("upgrade-agent refused: \(response.reason ?? "")")
                finish(check.requester, response)
                return
            }
            execNewBinary(check.binary, requester: check.requester)
        }
    }

    /// Replaces this process image with `binary`, handing over fds and state. Returns only on failure.
    private func execNewBinary(_ binary: String, requester: ControlConnection) {
        connections.removeAll { $0 === requester }
        let snapshot = snapshot(requester: requester)
        let reason: String
        do {
            setenv(AgentState.variable, try snapshot.encoded(), 1)
            for fd in snapshot.inheritedFDs { _ = fcntl(fd, F_SETFD, 0) }
            for generation in generations { generation.log.drain(into: sink) }
            agentLog("upgrade-agent: exec \(binary) (pid \(getpid()) stays)")
            let argv: [UnsafeMutablePointer<CChar>?] = [
                strdup(binary), strdup("run"), strdup("--config"), strdup(configPath), nil,
            ]
            execv(binary, argv)
            reason = "exec \(binary) failed: \(String(cString: strerror(errno)))"
            argv.forEach { free($0) }
        } catch {
            reason = "cannot hand over state: \(error)"
        }
        unsetenv(AgentState.variable)
        for fd in snapshot.inheritedFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        agentLog("upgrade-agent: \(reason); this agent keeps running")
        requester.respond(ControlResponse(command: "upgrade-agent", outcome: "failed", reason: reason))
    }

    /// Everything the new binary needs, with the fds it inherits.
    private func snapshot(requester: ControlConnection) -> AgentState {
        AgentState(
            schema: AgentStateSchema.written, configPath: configPath, config: config, controlFD: control.fd,
            controlPath: control.path, requesterFD: requester.fd,
            listeners: listeners.active.map { snapshotListener($0, retired: false) }
                + listeners.retired.map { snapshotListener($0, retired: true) },
            generations: generations.map { g in
                AgentState.GenerationSnapshot(
                    number: g.number, pid: g.pid, release: g.release, version: g.version, startedWall: g.startedWall,
                    startedMono: g.startedMono, readyMono: g.readyMono, readyMilliseconds: g.readyMilliseconds,
                    listenerFDs: g.listenerFDs, notifyFD: g.notify?.fd, notifyPath: g.notify?.path, logFD: g.log.readFD,
                    statusText: g.statusText, logHolder: g.logHolder, pidFD: g.pidFD)
            },
            current: current?.number, nextGeneration: nextGeneration, counters: counters, crashStreak: crashStreak,
            startedWall: startedWall, upgrades: upgrades + 1, readyNotified: readyNotified,
            systemdSocket: systemdSocket,
            takeover: takeover)
    }

    private func snapshotListener(_ listener: Listener, retired: Bool) -> AgentState.ListenerSnapshot {
        AgentState.ListenerSnapshot(
            name: listener.name, addressKey: listener.addressKey, fd: listener.fd, activated: listener.activated,
            retired: retired)
    }

    /// The agent after a self-upgrade: adopts everything the previous binary handed over and answers
    /// the `upgrade-agent` request that caused it.
    convenience init(restoring state: AgentState, signalFD: Int32) throws {
        let config = state.config
        let listener = { (s: AgentState.ListenerSnapshot) -> Listener in
            _ = fcntl(s.fd, F_SETFD, FD_CLOEXEC)
            return Listener(name: s.name, addressKey: s.addressKey, fd: s.fd, activated: s.activated)
        }
        let listeners = ListenerSet(
            active: state.listeners.filter { !$0.retired }.map(listener),
            retired: state.listeners.filter(\.retired).map(listener))
        let control = ControlServer(adopting: state.controlFD, path: state.controlPath)
        try self.init(
            config: config, configPath: state.configPath, listeners: listeners, control: control, signalFD: signalFD,
            startedWall: state.startedWall, systemdSocket: state.systemdSocket)
        for snapshot in state.generations {
            let generation = Generation(
                number: snapshot.number, pid: snapshot.pid, release: snapshot.release, version: snapshot.version,
                state: .ready, startedWall: snapshot.startedWall, startedMono: snapshot.startedMono,
                listenerFDs: snapshot.listenerFDs,
                notify: snapshot.notifyFD.map { NotifySocket(adopting: $0, path: snapshot.notifyPath ?? "") },
                log: ServiceLog(readFD: snapshot.logFD, generation: snapshot.number, tailLimit: config.log.tailLines))
            generation.readyMono = snapshot.readyMono
            generation.readyMilliseconds = snapshot.readyMilliseconds
            generation.statusText = snapshot.statusText
            generation.logHolder = snapshot.logHolder
            if let pidFD = snapshot.pidFD {
                _ = fcntl(pidFD, F_SETFD, FD_CLOEXEC)
                generation.pidFD = pidFD
                generation.adopted = true
            }
            generations.append(generation)
            if snapshot.number == state.current { current = generation }
        }
        nextGeneration = state.nextGeneration
        counters = state.counters
        crashStreak = state.crashStreak
        upgrades = state.upgrades
        readyNotified = state.readyNotified
        takeover = state.takeover
        agentLog(
            "rollout-agent \(AgentVersion.current) took over (upgrade \(upgrades)); \(generations.count) generation(s) kept"
        )
        if readyNotified { Systemd.notify("MAINPID=\(getpid())\nREADY=1", socketPath: systemdSocket) }
        var response = ControlResponse(command: "upgrade-agent", outcome: "ok")
        response.agent = agentInfo()
        response.version = AgentVersion.current
        ControlConnection(fd: state.requesterFD, acceptedMono: MonotonicClock.now()).respond(response)
    }
}
