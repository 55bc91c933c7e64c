internal import CAgentSupport
import Foundation
import Glibc

/// Supervises one service: owns its listeners, starts generations, hands the listeners from one
/// generation to the next, and answers the control socket.
///
/// Shaped like a service-lifecycle group: one object with an explicit state, driven by a single
/// event-loop thread (`poll` over a signalfd, the control socket, each generation's notify socket
/// and log pipe, and timers). Nothing blocks that thread except short writes; readiness probes run
/// on their own threads and report back through an eventfd.
public final class Supervisor {
    var config: AgentConfig
    let configPath: String
    var listeners: ListenerSet
    var generations: [Generation] = []
    /// The generation that serves (ready), if any.
    var current: Generation?
    var operation: RestartOperation?
    /// A `reload-service` waiting for the service's confirmation.
    var reloading: ReloadOperation?
    var nextGeneration = 1
    var counters = RestartCounters()
    var crashStreak = 0
    var crashRestartAt: Int64?
    var stopping = false
    var stopRequesters: [ControlConnection] = []
    var exitCode: Int32?
    var connections: [ControlConnection] = []
    var upgrade: UpgradeCheck?
    var upgrades = 0
    var readyNotified = false
    /// Set when this agent took its generations over from a dead agent.
    var takeover: TakeoverInfo?
    /// The takeover record last written, and the last failure to write it (logged once).
    var lastRecord: TakeoverRecord?
    var recordProblem: String?
    /// Listener fds this agent has put in systemd's fd store, by name.
    var fdStore: [String: Int32] = [:]
    lazy var agentIdentity = ProcessIdentity.current(getpid()) ?? ProcessIdentity(pid: getpid(), startTicks: 0)
    let startedWall: Date
    let control: ControlServer
    var sink: LogSink
    let prober: ReadinessProber
    let signalFD: Int32
    let systemdSocket: String?
    let agentEnvironment: [String: String]

    static let handledSignals: [Int32] = [SIGCHLD, SIGUSR2, SIGHUP, SIGTERM, SIGINT]

    /// Starts a fresh agent: opens listeners (adopting systemd-activated ones), the control socket,
    /// writes the pid file and starts the first generation.
    public static func start(configPath: String) throws -> Supervisor {
        var fallback: String?
        switch AgentState.take() {
        case .none:
            break
        case .state(let state):
            return try Supervisor(restoring: state, signalFD: try openSignals())
        case .unreadable(let reason):
            // Exec'ed by an agent whose state this binary cannot read: drop every inherited fd (their numbers are
            // unknown) and take the generations over like an agent started after a death.
            fallback = reason
            _ = cas_close_from(3)
            log(nil, "\(reason); falling back to a takeover")
        }
        let signalFD = try openSignals()
        let config = try AgentConfig.load(path: configPath)
        let activated = Systemd.takeActivatedSockets()
        if let (record, live) = try predecessor(of: config) {
            return try takeOver(
                record: record, live: live, config: config, configPath: configPath, activated: activated,
                signalFD: signalFD)
        }
        if fallback != nil { log(config.service, "no running generation to take over; starting the service") }
        let listeners = try ListenerSet.open(config.listeners, activated: activated)
        let control = try ControlServer(path: config.controlSocket)
        let supervisor = try Supervisor(
            config: config, configPath: configPath, listeners: listeners, control: control, signalFD: signalFD,
            startedWall: Date(), systemdSocket: ProcessInfo.processInfo.environment["NOTIFY_SOCKET"])
        supervisor.agentLog("rollout-agent \(AgentVersion.current) pid \(getpid()) supervising \(config.service)")
        for (name, fd) in activated where !config.listeners.contains(where: { $0.name == name }) {
            supervisor.agentLog("socket-activated fd \(fd) '\(name)' matches no listener name; closing it")
            close(fd)
        }
        supervisor.pushListenersToFDStore()
        supervisor.beginRestart(.initial, requester: nil)
        return supervisor
    }

    init(
        config: AgentConfig, configPath: String, listeners: ListenerSet, control: ControlServer, signalFD: Int32,
        startedWall: Date, systemdSocket: String?
    ) throws {
        self.config = config
        self.configPath = configPath
        self.listeners = listeners
        self.control = control
        self.signalFD = signalFD
        self.startedWall = startedWall
        sink = try LogSink(path: config.log.path)
        prober = try ReadinessProber()
        agentEnvironment = ProcessInfo.processInfo.environment
        self.systemdSocket = systemdSocket
        // The service must never talk to systemd as if it were the agent.
        unsetenv("NOTIFY_SOCKET")
        _ = cas_set_child_subreaper()
        try? FileManager.default.createDirectory(atPath: config.notifyDirectory, withIntermediateDirectories: true)
        try writePidFile()
    }

    private static func openSignals() throws -> Int32 {
        // SIGPIPE: a control client that hangs up must not kill the agent. Children get it reset.
        signal(SIGPIPE, SIG_IGN)
        return try handledSignals.withUnsafeBufferPointer { buffer in
            try syscall("signalfd") { cas_signalfd_open(buffer.baseAddress, Int32(buffer.count)) }
        }
    }

    /// Runs the event loop until the agent has stopped; returns the process exit status.
    public func run() -> Int32 {
        reap()  // children may have exited while we were exec-ing (self-upgrade)
        while exitCode == nil {
            pollOnce()
        }
        return exitCode ?? 0
    }

    private enum Source {
        case signals, control
        case connection(ControlConnection)
        case notify(Generation)
        case log(Generation)
        /// An adopted generation's pidfd: readable once it has exited.
        case exited(Generation)
        case prober, upgrade
    }

    private func pollOnce() {
        var fds: [pollfd] = []
        var sources: [Source] = []
        func add(_ fd: Int32, _ source: Source) {
            fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
            sources.append(source)
        }
        add(signalFD, .signals)
        add(control.fd, .control)
        add(prober.wakeFD, .prober)
        for connection in connections where connection.request == nil { add(connection.fd, .connection(connection)) }
        for generation in generations {
            if let notify = generation.notify { add(notify.fd, .notify(generation)) }
            if generation.log.readFD >= 0 { add(generation.log.readFD, .log(generation)) }
            if let pidFD = generation.pidFD { add(pidFD, .exited(generation)) }
        }
        if let upgrade { add(upgrade.outputFD, .upgrade) }
        let timeout = pollTimeout()
        let ready = poll(&fds, nfds_t(fds.count), timeout)
        if ready < 0 && errno != EINTR { agentLog("poll failed: \(String(cString: strerror(errno)))") }
        if ready > 0 {
            for (index, entry) in fds.enumerated() where entry.revents != 0 {
                handle(sources[index])
            }
        }
        fireTimers(now: MonotonicClock.now())
        persistRecord()
    }

    private func handle(_ source: Source) {
        switch source {
        case .signals:
            while true {
                let signal = cas_signalfd_read(signalFD)
                if signal <= 0 { break }
                handleSignal(signal)
            }
        case .control:
            connections += control.acceptAll()
        case .connection(let connection):
            guard connections.contains(where: { $0 === connection }) else { return }
            switch control.read(connection) {
            case .request(let request)?:
                connection.request = request
                handleRequest(request, from: connection)
            case .invalid(let response)?:
                finish(connection, response)
            case nil:
                break
            }
        case .notify(let generation):
            handleNotify(generation)
        case .log(let generation):
            generation.log.drain(into: sink)
        case .exited(let generation):
            adoptedGenerationExited(generation)
        case .prober:
            for result in prober.takeResults() { handleProbe(result) }
        case .upgrade:
            upgrade?.readOutput()
        }
    }

    private func handleSignal(_ signal: Int32) {
        switch signal {
        case SIGCHLD: reap()
        case SIGUSR2:
            agentLog("SIGUSR2: hot restart requested")
            beginRestart(.request, requester: nil)
        case SIGHUP:
            agentLog("SIGHUP: reloading \(configPath)")
            let response = reload()
            agentLog("reload: \(response.outcome)\(response.reason.map { ": \($0)" } ?? "")")
        case SIGTERM, SIGINT:
            agentLog("\(SignalName.name(signal)): stopping gracefully")
            beginStop(requester: nil)
        default: break
        }
    }

    /// Answers `connection` and forgets it.
    func finish(_ connection: ControlConnection, _ response: ControlResponse) {
        var response = response
        if let fence = connection.request?.fence, response.fence == nil {
            response.fence = fence
            response.highestFence = connection.highestFence
        }
        connection.respond(response)
        connections.removeAll { $0 === connection }
    }

    /// Milliseconds until the nearest deadline (poll's timeout), or -1 for none.
    private func pollTimeout() -> Int32 {
        var deadlines: [Int64] = []
        for generation in generations {
            deadlines += [generation.readyDeadline, generation.nextProbe, generation.killDeadline].compactMap { $0 }
            if generation.state == .starting, config.readiness.type == .delay {
                deadlines.append(generation.startedMono + Int64(config.readiness.delay.milliseconds))
            }
        }
        if let crashRestartAt { deadlines.append(crashRestartAt) }
        if let upgrade { deadlines.append(upgrade.deadline) }
        if let reloading { deadlines += reloading.deadlines }
        for connection in connections where connection.request == nil {
            deadlines.append(connection.acceptedMono + 10_000)
        }
        guard let nearest = deadlines.min() else { return -1 }
        return Int32(clamping: max(0, nearest - MonotonicClock.now() + 1))
    }

    /// A line in the agent's own log (stderr: the journal under systemd).
    func agentLog(_ message: String) { Self.log(config.service, message) }

    static func log(_ service: String?, _ message: String) {
        let line =
            "\(MonotonicClock.wallTimestamp()) rollout-agent[\(getpid())]\(service.map { " \($0)" } ?? ""): \(message)\n"
        try? SocketAddress.writeAll(2, Array(line.utf8))
    }

    /// Writes the pid file atomically (`AtomicFile`).
    func writePidFile() throws {
        guard let path = config.pidFile else { return }
        do {
            try AtomicFile.write(path, Array("\(getpid())\n".utf8), mode: 0o644)
        } catch {
            throw AgentError("agent.pidfile", "cannot write pid file \(path): \(error)")
        }
    }
}
