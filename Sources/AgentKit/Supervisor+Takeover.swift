internal import CAgentSupport
import Foundation
import Glibc

/// Takeover: a new agent finds the generations a dead agent left running (`TakeoverRecord`), copies their listening
/// sockets and log pipes, and supervises them from then on, without a gap in serving.
extension Supervisor {
    /// Where this agent keeps its takeover record.
    var recordPath: String { TakeoverRecord.path(for: config) }

    /// The record as of now.
    func currentRecord() -> TakeoverRecord {
        let all = listeners.active + listeners.retired
        return TakeoverRecord(
            schema: TakeoverRecord.schema, service: config.service, agent: agentIdentity,
            agentVersion: AgentVersion.current,
            listeners: all.map { .init(name: $0.name, address: $0.addressKey, activated: $0.activated) },
            generations: generations.compactMap { g in
                guard let process = g.identity else { return nil }  // already gone
                return TakeoverRecord.GenerationEntry(
                    number: g.number, process: process, release: g.release, version: g.version, state: g.state,
                    startedWall: g.startedWall, startedMono: g.startedMono, readyMono: g.readyMono,
                    readyMilliseconds: g.readyMilliseconds,
                    listeners: g.listenerFDs.compactMap { fd in all.first { $0.fd == fd }?.addressKey },
                    notifyPath: g.notify?.path, logHolder: g.logHolder, statusText: g.statusText)
            },
            nextGeneration: nextGeneration, counters: counters)
    }

    /// Writes the takeover record when it changed since the last write. Called after every turn of the event loop and
    /// right after a generation is spawned; a failure is logged (once per cause) and retried on the next change.
    func persistRecord() {
        guard exitCode == nil else { return }
        let record = currentRecord()
        guard record != lastRecord else { return }
        do {
            try record.write(to: recordPath)
            lastRecord = record
            recordProblem = nil
        } catch {
            let problem = "cannot write the takeover record \(recordPath): \(error); a new agent could not take over"
            if problem != recordProblem { agentLog(problem) }
            recordProblem = problem
        }
    }

    /// The previous agent's record and its generations still running, when there is a service to take over. Nil when
    /// there is no record or nothing of it runs any more (the stale record is removed). Throws when another agent
    /// still supervises the service, or the record cannot be read.
    static func predecessor(of config: AgentConfig) throws -> (TakeoverRecord, [TakeoverRecord.GenerationEntry])? {
        let path = TakeoverRecord.path(for: config)
        guard let record = try TakeoverRecord.read(path: path) else { return nil }
        if record.agent.pid != getpid(), record.agent.isAlive {
            throw AgentError(
                "agent.running",
                "rollout-agent pid \(record.agent.pid) (\(record.agentVersion)) already supervises \(record.service) "
                    + "(\(path)); stop it first (`ctl stop`), or replace its binary with `ctl upgrade-agent`")
        }
        let live = record.generations.filter { $0.process.isAlive }
        if live.isEmpty {
            unlink(path)
            return nil
        }
        return (record, live)
    }

    /// Takes over the generations `live` of a dead agent's `record`: their listeners (from systemd's fd store when it
    /// passed them back as `activated`, else copied from a running generation with `pidfd_getfd`), their log pipes
    /// (copied from each generation's log holder, which then exits), their notify sockets (bound again at the same
    /// path) and their exits (through pidfds). Nothing is signalled, restarted or unlinked; when a listener cannot be
    /// found this throws `takeover.listener` and leaves the service exactly as it was.
    static func takeOver(
        record: TakeoverRecord, live: [TakeoverRecord.GenerationEntry], config: AgentConfig, configPath: String,
        activated: [String: Int32], signalFD: Int32
    ) throws -> Supervisor {
        let began = MonotonicClock.now()
        var unused = activated
        let adopted = try adoptListeners(record, live: live, activated: &unused)
        let listenerSet = ListenerSet(active: adopted)
        let control: ControlServer
        do {
            // New listeners of the config open now; those it dropped are retired (closed once no generation uses them).
            _ = try listenerSet.reload(config.listeners)
            control = try ControlServer(path: config.controlSocket)
        } catch {
            // Only our copies: closing them changes nothing for the service, and no path is unlinked.
            (listenerSet.active + listenerSet.retired).forEach { _ = Glibc.close($0.fd) }
            throw error
        }
        unused.values.forEach { _ = Glibc.close($0) }
        let supervisor = try Supervisor(
            config: config, configPath: configPath, listeners: listenerSet, control: control, signalFD: signalFD,
            startedWall: Date(), systemdSocket: ProcessInfo.processInfo.environment["NOTIFY_SOCKET"])
        supervisor.adoptGenerations(live)
        supervisor.nextGeneration = max(record.nextGeneration, (live.map(\.number).max() ?? 0) + 1)
        supervisor.counters = record.counters
        let elapsed = Int(MonotonicClock.now() - began)
        supervisor.takeover = TakeoverInfo(
            fromPid: record.agent.pid, fromVersion: record.agentVersion,
            generations: supervisor.generations.map(\.number), takeoverMs: elapsed,
            listenersFrom: adopted.contains(where: \.activated) ? "fdstore" : "pidfd_getfd")
        supervisor.agentLog(
            "rollout-agent \(AgentVersion.current) pid \(getpid()) took over \(config.service) from dead agent "
                + "pid \(record.agent.pid) (\(record.agentVersion)) in \(elapsed) ms: generation(s) "
                + supervisor.generations.map { "\($0.number) (pid \($0.pid), \($0.state.rawValue))" }
                .joined(separator: ", "))
        supervisor.pushListenersToFDStore()
        if supervisor.current != nil {
            supervisor.readyNotified = true
            Systemd.notify(
                "READY=1\nMAINPID=\(getpid())\nSTATUS=serving generation \(supervisor.current!.number) (taken over)",
                socketPath: supervisor.systemdSocket)
        }
        supervisor.persistRecord()
        return supervisor
    }

    /// One fd per recorded listener, or a `takeover.listener` error (after closing what was copied).
    private static func adoptListeners(
        _ record: TakeoverRecord, live: [TakeoverRecord.GenerationEntry], activated: inout [String: Int32]
    ) throws -> [Listener] {
        var adopted: [Listener] = []
        // Serving generations first, newest first: the likeliest to hold every listener at its fd.
        let donors = live.sorted { ($0.state == .ready ? 1 : 0, $0.number) > ($1.state == .ready ? 1 : 0, $1.number) }
        for entry in record.listeners {
            do {
                if let fd = activated[entry.name], try isListener(fd, at: entry.address) {
                    activated.removeValue(forKey: entry.name)
                    adopted.append(Listener(name: entry.name, addressKey: entry.address, fd: fd, activated: true))
                    continue
                }
                var tried: [String] = []
                var found: Int32?
                for donor in donors where donor.listeners.contains(entry.address) {
                    let index = donor.listeners.firstIndex(of: entry.address)!
                    switch try copyListener(entry.address, from: donor.process, expectedFD: Int32(3 + index)) {
                    case .found(let fd): found = fd
                    case .notFound(let why): tried.append(why)
                    }
                    if found != nil { break }
                }
                guard let fd = found else {
                    let holders = tried.isEmpty ? "no running generation was given it" : tried.joined(separator: "; ")
                    throw AgentError(
                        "takeover.listener",
                        "cannot take over \(record.service): listener '\(entry.name)' (\(entry.address)) was not "
                            + "found: \(holders). Nothing was changed; "
                            + live.map { "generation \($0.number) (pid \($0.process.pid))" }.joined(separator: ", ")
                            + " keeps serving unsupervised. Stop it (kill -TERM -PID) and start the agent again")
                }
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                adopted.append(
                    Listener(name: entry.name, addressKey: entry.address, fd: fd, activated: entry.activated))
            } catch {
                adopted.forEach { _ = Glibc.close($0.fd) }
                throw error
            }
        }
        return adopted
    }

    private enum CopyResult {
        case found(Int32)
        case notFound(String)
    }

    /// Copies the listening socket bound to `address` out of `process`: first its fd `expectedFD` (where the agent
    /// put it), else any socket among its fds (a service may have moved it).
    private static func copyListener(_ address: String, from process: ProcessIdentity, expectedFD: Int32) throws
        -> CopyResult
    {
        let pidFD = cas_pidfd_open(process.pid)
        guard pidFD >= 0 else {
            return .notFound("pidfd_open(\(process.pid)): \(String(cString: strerror(errno)))")
        }
        defer { close(pidFD) }
        guard process.isAlive else { return .notFound("pid \(process.pid) has exited") }
        func attempt(_ target: Int32) throws -> Int32? {
            let fd = cas_pidfd_getfd(pidFD, target)
            if fd < 0 {
                if errno == EPERM || errno == EACCES {
                    throw AgentError(
                        "takeover.permission",
                        "pidfd_getfd(pid \(process.pid), fd \(target)): \(String(cString: strerror(errno))); the "
                            + "agent needs ptrace access to the service (run it as root). Nothing was changed")
                }
                return nil
            }
            if try isListener(fd, at: address) { return fd }
            close(fd)
            return nil
        }
        if let fd = try attempt(expectedFD) { return .found(fd) }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.pid)/fd")) ?? []
        var sockets = 0
        for entry in entries.compactMap({ Int32($0) }).sorted() where entry != expectedFD {
            guard
                let target = try? FileManager.default.destinationOfSymbolicLink(
                    atPath: "/proc/\(process.pid)/fd/\(entry)"),
                target.hasPrefix("socket:")
            else { continue }
            sockets += 1
            if let fd = try attempt(entry) { return .found(fd) }
        }
        return .notFound(
            "pid \(process.pid) holds it neither at fd \(expectedFD) nor among its \(sockets) other socket(s)")
    }

    /// True when `fd` is a listening stream socket bound to `address` (`tcp:host:port` or `unix:/path`).
    static func isListener(_ fd: Int32, at address: String) throws -> Bool {
        if address.hasPrefix("unix:") {
            return try SocketAddress.withUnixAddress(String(address.dropFirst(5))) { a, l in
                cas_is_listener_at(fd, a, l) == 1
            }
        }
        return try SocketAddress.withTCPAddress(String(address.dropFirst(4)), passive: true) { a, l, _ in
            cas_is_listener_at(fd, a, l) == 1
        }
    }

    /// Supervises the dead agent's generations: pidfds for their exits, their log pipes and notify sockets back, and
    /// the operation they were in (a generation still starting goes on to become ready and replace the serving one;
    /// one draining is killed at a fresh drain deadline).
    private func adoptGenerations(_ live: [TakeoverRecord.GenerationEntry]) {
        let now = MonotonicClock.now()
        let owner = try? config.user.map { try UserLookup.user($0, group: config.group) }
        let all = listeners.active + listeners.retired
        for entry in live.sorted(by: { $0.number < $1.number }) {
            let pidFD = cas_pidfd_open(entry.process.pid)
            guard pidFD >= 0, entry.process.isAlive else {
                if pidFD >= 0 { close(pidFD) }
                agentLog("generation \(entry.number) (pid \(entry.process.pid)) exited during the takeover")
                continue
            }
            _ = fcntl(pidFD, F_SETFD, FD_CLOEXEC)
            let notify = entry.notifyPath.flatMap { path -> NotifySocket? in
                do {
                    return try NotifySocket(path: path, owner: owner.map { ($0.uid, $0.gid) })
                } catch {
                    agentLog("generation \(entry.number): cannot bind its notify socket \(path) again: \(error)")
                    return nil
                }
            }
            let (log, holder) = adoptLog(entry)
            let generation = Generation(
                number: entry.number, pid: entry.process.pid, release: entry.release, version: entry.version,
                state: entry.state, startedWall: entry.startedWall, startedMono: entry.startedMono,
                listenerFDs: entry.listeners.compactMap { address in all.first { $0.addressKey == address }?.fd },
                notify: notify, log: log)
            generation.logHolder = holder
            generation.pidFD = pidFD
            generation.adopted = true
            generation.identity = entry.process
            generation.readyMono = entry.readyMono
            generation.readyMilliseconds = entry.readyMilliseconds
            generation.statusText = entry.statusText
            switch entry.state {
            case .starting:
                generation.readyDeadline = now + Int64(config.readiness.timeout.milliseconds)
                if config.readiness.type == .http || config.readiness.type == .tcp { generation.nextProbe = now }
            case .draining:
                generation.drainStartedMono = now
                generation.killDeadline = now + Int64(config.stop.drainTimeout.milliseconds)
            case .ready:
                break
            }
            generations.append(generation)
        }
        current = generations.last { $0.state == .ready }
        for generation in generations where generation.state == .ready && generation !== current {
            drain(generation, now: now)
        }
        if let starting = generations.last(where: { $0.state == .starting }) {
            // The restart the dead agent had begun goes on: when it is ready, the serving generation drains.
            operation = RestartOperation(
                trigger: .request, mode: .hot, generation: starting.number, newPid: starting.pid,
                oldGeneration: current?.number, oldPid: current?.pid, requestedMono: now, requesters: [])
        }
    }

    /// The generation's log pipe, copied from its log holder (fd 3 there), with a new holder of ours; the old holder
    /// is told to stop (SIGTERM: it writes out what it has read, then exits) and waited for briefly, so that from then
    /// on this agent alone reads and tags the lines. Without a live holder the output is not read by the agent.
    private func adoptLog(_ entry: TakeoverRecord.GenerationEntry) -> (ServiceLog, holder: ProcessIdentity?) {
        let lost = ServiceLog(readFD: -1, generation: entry.number, tailLimit: config.log.tailLines)
        lost.pid = entry.process.pid
        guard let holder = entry.logHolder, holder.isAlive else {
            agentLog("generation \(entry.number): its log holder is gone; its output is not read by this agent")
            return (lost, nil)
        }
        let holderFD = cas_pidfd_open(holder.pid)
        guard holderFD >= 0 else { return (lost, holder) }
        defer { close(holderFD) }
        let readFD = cas_pidfd_getfd(holderFD, 3)
        guard readFD >= 0 else {
            agentLog(
                "generation \(entry.number): cannot copy its log pipe from holder pid \(holder.pid): "
                    + "\(String(cString: strerror(errno))); the holder keeps writing its lines")
            return (lost, holder)
        }
        _ = fcntl(readFD, F_SETFL, fcntl(readFD, F_GETFL) | O_NONBLOCK)
        let log = ServiceLog(readFD: readFD, generation: entry.number, tailLimit: config.log.tailLines)
        log.pid = entry.process.pid
        kill(holder.pid, SIGTERM)
        var wait = pollfd(fd: holderFD, events: Int16(POLLIN), revents: 0)
        _ = poll(&wait, 1, 1000)
        return (log, log.startHolder(sink: sink).flatMap(ProcessIdentity.current))
    }

    /// An adopted generation's pidfd became readable: it has exited (with a status only its parent could read).
    func adoptedGenerationExited(_ generation: Generation) {
        guard generations.contains(where: { $0 === generation }) else { return }
        // The exec fallback keeps generations as our children: reap it here if so, for its real status.
        var status: Int32 = 0
        if waitpid(generation.pid, &status, WNOHANG) == generation.pid {
            generationExited(
                generation,
                cas_wifexited(status) != 0
                    ? ExitStatus(code: cas_wexitstatus(status), signal: nil)
                    : ExitStatus(code: nil, signal: cas_wifsignaled(status) != 0 ? cas_wtermsig(status) : nil))
        } else {
            generationExited(generation, ExitStatus(code: nil, signal: nil))
        }
    }
}
