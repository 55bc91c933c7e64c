import Foundation
import Glibc

extension Supervisor {
    /// Dispatches one control request. `restart`, `reload-service`, `stop` and `upgrade-agent` answer later, when the
    /// operation has finished; the others answer at once.
    func handleRequest(_ request: ControlRequest, from connection: ControlConnection) {
        if request.fence != nil, let refusal = admitFence(request, from: connection) {
            finish(connection, refusal)
            return
        }
        switch request.command {
        case "status":
            finish(connection, status())
        case "restart":
            beginRestart(.request, mode: request.mode == "cold" ? .cold : .hot, requester: connection)
        case "reload-service":
            beginReloadService(requester: connection)
        case "stop":
            beginStop(requester: connection)
        case "reload":
            finish(connection, reload())
        case "upgrade-agent":
            beginUpgrade(binary: request.binary, requester: connection)
        default:
            finish(connection, ControlResponse(command: request.command, outcome: "error", reason: "unknown command"))
        }
    }

    var state: SupervisorState {
        if stopping { return .stopping }
        if operation != nil { return current == nil ? .starting : .restarting }
        if reloading != nil { return .reloading }
        if current != nil { return generations.count > 1 ? .restarting : .running }
        if crashRestartAt != nil { return .backoff }
        return generations.isEmpty ? .idle : .starting
    }

    /// The `status` answer: listeners, generations, counters, the agent itself.
    func status() -> ControlResponse {
        var response = ControlResponse(command: "status", outcome: "ok")
        response.service = config.service
        response.state = state.rawValue
        response.agent = agentInfo()
        let live = generations
        response.listeners =
            listeners.active.map { listenerInfo($0, state: "active") }
            + listeners.retired.map { listenerInfo($0, state: "retired") }
        response.generations = live.map { generation in
            GenerationInfo(
                generation: generation.number, pid: generation.pid, release: generation.release,
                version: generation.version, state: generation.state.rawValue,
                started: MonotonicClock.wallTimestamp(generation.startedWall), readyMs: generation.readyMilliseconds,
                status: generation.statusText,
                listeners: generation.listenerFDs.compactMap { fd in
                    (listeners.active + listeners.retired).first { $0.fd == fd }?.name
                }, adopted: generation.adopted ? true : nil)
        }
        response.restarts = counters
        response.highestFence = try? FenceRecord.highest(path: FenceRecord.path(for: config))
        return response
    }

    private func listenerInfo(_ listener: Listener, state: String) -> ListenerInfo {
        ListenerInfo(
            name: listener.name, address: listener.addressKey, fd: listener.fd, state: state,
            activated: listener.activated)
    }

    func agentInfo() -> AgentInfo {
        let binary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return AgentInfo(
            version: AgentVersion.current, pid: getpid(), binary: binary,
            started: MonotonicClock.wallTimestamp(startedWall), upgrades: upgrades, takeover: takeover)
    }

    /// Re-reads the config file. New listeners open at once and reach the service with its next
    /// generation; removed ones close once no running generation uses them. Everything else (command,
    /// environment, readiness, ...) applies from the next start. A bad file changes nothing.
    func reload() -> ControlResponse {
        let next: AgentConfig
        do {
            next = try AgentConfig.load(path: configPath)
        } catch {
            return ControlResponse(
                command: "reload", outcome: "failed", reason: "\(error); the old config stays in force")
        }
        if next.controlSocket != config.controlSocket || next.service != config.service {
            return ControlResponse(
                command: "reload", outcome: "failed",
                reason: "service and control_socket cannot change on reload; restart the agent for that")
        }
        var response = ControlResponse(command: "reload", outcome: "ok")
        do {
            let (added, removed) = try listeners.reload(next.listeners)
            response.listenersAdded = added
            response.listenersRemoved = removed
        } catch {
            return ControlResponse(
                command: "reload", outcome: "failed", reason: "\(error); the old config stays in force")
        }
        // Reopened on every reload, so that HUP after a log rotation writes to the new file.
        if let newSink = try? LogSink(path: next.log.path) {
            sink.close()
            sink = newSink
        }
        config = next
        listeners.closeRetired(inUse: Set(generations.flatMap(\.listenerFDs)))
        pushListenersToFDStore()
        response.listeners =
            self.listeners.active.map { listenerInfo($0, state: "active") }
            + self.listeners.retired.map { listenerInfo($0, state: "retired") }
        return response
    }
}
