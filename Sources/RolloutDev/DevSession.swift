import AgentKit
import Foundation
import Glibc
import RolloutGateway

/// `rollout dev`: watch, rebuild, hot-restart. Builds once, starts the service under a `rollout-agent` on the
/// listeners, then on every settled batch of changes either rebuilds and asks the agent for a hot restart (the new
/// generation takes over the same sockets only once it is ready), or, when only `--reload` files changed, asks it to
/// reload the service. A failed build or a generation that never becomes ready leaves the previous one serving; the
/// next change tries again. Stops (draining the service) when `shouldStop` says so.
public final class DevSession {
    let options: DevOptions
    let agentBinary: String
    let output: DevOutput
    let shouldStop: @Sendable () -> Bool
    private let reloadPatterns: [PathPattern]
    private var watcher: FileWatcher
    private var batch: ChangeBatch
    private var status = DevStatus()
    private var agent: DevAgent?
    private var agentConfig = ""
    /// The batch waiting while a build or a restart runs, and when its first change came.
    private var batchStarted: Int64?

    public init(
        options: DevOptions, agentBinary: String, output: DevOutput, shouldStop: @escaping @Sendable () -> Bool
    ) throws {
        self.options = options
        self.agentBinary = agentBinary
        self.output = output
        self.shouldStop = shouldStop
        reloadPatterns = options.reload.compactMap { PathPattern(FileWatcher.normalize($0)) }
        guard FileManager.default.isExecutableFile(atPath: agentBinary) else {
            throw DevError("rollout-agent not found at \(agentBinary); pass --agent PATH")
        }
        agentConfig = try options.agentConfig(environment: ProcessInfo.processInfo.environment)
        let filter = WatchFilter(
            // With --include, the --reload files count too; without, every file not ignored counts.
            excludes: options.excludes, includes: options.includes.isEmpty ? [] : options.includes + options.reload,
            stateDirectory: FileWatcher.normalize(options.stateDirectory))
        watcher = try FileWatcher(root: options.workingDirectory, paths: options.watch, filter: filter)
        batch = ChangeBatch(quiet: options.debounce.wholeMilliseconds)
    }

    /// Runs until stopped; returns the exit status (0 after a requested stop, 1 when the agent died).
    public func run() async -> Int32 {
        defer { output.finish() }
        report(DevEvent(.watching).with { $0.watched = watcher.watchedCount })
        await buildAndRestart(paths: [], since: Self.now())
        while !shouldStop() {
            pump(timeoutMilliseconds: 100)
            if let agent, agent.hasExited() {
                report(
                    DevEvent(.error).with {
                        $0.reason = "rollout-agent exited (status \(agent.exitStatus ?? -1)); see its lines above"
                    })
                return 1
            }
            guard let paths = batch.takeIfDue(at: Self.now()) else { continue }
            let since = batchStarted ?? Self.now()
            batchStarted = nil
            let sorted = paths.sorted()
            let reloadOnly = agent != nil && sorted.allSatisfy { isReloadFile($0) }
            report(
                DevEvent(.changed).with {
                    $0.paths = sorted
                    $0.action = reloadOnly ? "reload" : "build"
                })
            if reloadOnly {
                await reload(since: since)
            } else {
                await buildAndRestart(paths: sorted, since: since)
            }
        }
        if let agent {
            status.phase = .watching
            agent.stop(timeout: .seconds(30))
            forwardAgentOutput()
        }
        report(DevEvent(.stopped))
        return 0
    }

    // MARK: - Steps

    private func buildAndRestart(paths: [String], since: Int64) async {
        let started = Self.now()
        status.phase = .building(since: started)
        report(DevEvent(.buildStarted).with { $0.paths = paths.isEmpty ? nil : paths })
        let command = options.build
        let timeout = options.buildTimeout
        let result = await whileWaiting {
            try await LocalGatewayRunner().run(command, stdin: nil, timeout: timeout)
        }
        let buildMs = Int(Self.now() - started)
        var finished = DevEvent(.buildFinished).with { $0.buildMs = buildMs }
        switch result {
        case .success(let build) where build.status == 0:
            finished.outcome = "ok"
            report(finished)
        case .success(let build):
            finished.outcome = "failed"
            finished.exitStatus = build.status
            finished.outputTail = Self.tail(build.stdout + "\n" + build.stderr, lines: 30)
            status.lastError = "build exited \(build.status)"
            status.phase = .watching
            report(finished)
            return
        case .failure(let error):
            finished.outcome = "failed"
            finished.reason = "\(error)"
            status.lastError = "build: \(error)"
            status.phase = .watching
            report(finished)
            return
        }
        guard let agent else {
            await startAgent(since: since, buildMs: buildMs)
            return
        }
        status.phase = .restarting(since: Self.now())
        report(DevEvent(.restartStarted))
        let socket = agent.controlSocket
        let restartTimeout = options.readyTimeout + .seconds(30)
        let answer = await whileWaiting { try DevAgent.request("restart", socket: socket, timeout: restartTimeout) }
        status.phase = .watching
        switch answer {
        case .success(let response) where response.outcome == "ok":
            nowServing(
                generation: response.generation ?? 0, pid: response.newPid ?? 0, readyMs: response.readyMs,
                handoffMs: response.handoffMs, buildMs: buildMs, since: since)
        case .success(let response):
            status.lastError = "restart \(response.outcome): \(response.reason ?? "")"
            report(
                DevEvent(.restartFinished).with {
                    $0.outcome = response.outcome
                    $0.reason = response.reason
                    $0.logTail = response.logTail
                    $0.generation = response.generation
                    $0.pid = response.newPid
                })
        case .failure(let error):
            status.lastError = "restart: \(error)"
            report(
                DevEvent(.restartFinished).with {
                    $0.outcome = "failed"
                    $0.reason = "\(error)"
                })
        }
    }

    /// The first successful build: the agent starts the service on the listeners.
    private func startAgent(since: Int64, buildMs: Int) async {
        status.phase = .restarting(since: Self.now())
        report(DevEvent(.restartStarted))
        do {
            let agent = try DevAgent(binary: agentBinary, config: agentConfig, options: options)
            self.agent = agent
            let response = try waitUntilSettled(agent, timeout: options.readyTimeout + .seconds(30))
            status.phase = .watching
            guard let serving = response.generations?.first(where: { $0.state == "ready" }) else {
                status.lastError = "the service did not become ready; see its lines above"
                report(
                    DevEvent(.restartFinished).with {
                        $0.outcome = "failed"
                        $0.reason = "the first generation did not become ready (agent state \(response.state ?? "?"))"
                    })
                return
            }
            nowServing(
                generation: serving.generation, pid: serving.pid, readyMs: serving.readyMs, handoffMs: nil,
                buildMs: buildMs, since: since)
        } catch {
            status.phase = .watching
            status.lastError = "\(error)"
            report(DevEvent(.error).with { $0.reason = "\(error)" })
        }
    }

    /// A new generation serves: the restart finished, and what serves now.
    private func nowServing(generation: Int, pid: Int32, readyMs: Int?, handoffMs: Int?, buildMs: Int, since: Int64) {
        status.lastError = nil
        status.serving = (generation, pid, readyMs)
        report(DevEvent(.restartFinished).with { $0.outcome = "ok" })
        report(
            DevEvent(.serving).with {
                $0.generation = generation
                $0.pid = pid
                $0.readyMs = readyMs
                $0.handoffMs = handoffMs
                $0.buildMs = buildMs
                $0.changeToServingMs = Int(Self.now() - since)
            })
    }

    private func reload(since: Int64) async {
        guard let agent else { return }
        status.phase = .reloading(since: Self.now())
        let socket = agent.controlSocket
        let answer = await whileWaiting {
            try DevAgent.request("reload-service", socket: socket, timeout: .seconds(60))
        }
        status.phase = .watching
        var event = DevEvent(.reloadFinished)
        switch answer {
        case .success(let response):
            event.outcome = response.outcome
            event.reason = response.reason
            event.generation = response.generation
            event.pid = response.pid
            event.logTail = response.logTail
            event.changeToServingMs = Int(Self.now() - since)
            status.lastError = response.outcome == "ok" ? nil : "reload \(response.outcome): \(response.reason ?? "")"
        case .failure(let error):
            event.outcome = "failed"
            event.reason = "\(error)"
            status.lastError = "reload: \(error)"
        }
        report(event)
    }

    /// Polls the new agent's `status` (reading changes and its output meanwhile) until its first generation has
    /// settled: ready, or failed.
    private func waitUntilSettled(_ agent: DevAgent, timeout: Duration) throws -> ControlResponse {
        let deadline = Self.now() + timeout.wholeMilliseconds
        while Self.now() < deadline {
            if agent.hasExited() {
                throw DevError("rollout-agent exited (status \(agent.exitStatus ?? -1)); see its lines above")
            }
            if let status = try? agent.request("status", timeout: .seconds(5)), status.state != "starting" {
                return status
            }
            pump(timeoutMilliseconds: 20)
        }
        throw DevError("rollout-agent did not answer on \(agent.controlSocket) within \(timeout)")
    }

    // MARK: - The loop's plumbing

    /// Runs `work` off this thread while changes and the agent's output keep being read.
    private func whileWaiting<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async -> Result<T, Error> {
        let box = ResultBox<T>()
        Task.detached {
            do {
                box.set(.success(try await work()))
            } catch {
                box.set(.failure(error))
            }
        }
        while true {
            if let result = box.get() { return result }
            pump(timeoutMilliseconds: 20)
        }
    }

    /// Waits up to `timeoutMilliseconds` (less when a batch becomes due) for changes or agent output, and takes them.
    private func pump(timeoutMilliseconds: Int64) {
        var fds = [pollfd(fd: watcher.fd, events: Int16(POLLIN), revents: 0)]
        if let agent { fds.append(pollfd(fd: agent.outputFD, events: Int16(POLLIN), revents: 0)) }
        var timeout = timeoutMilliseconds
        if let deadline = batch.deadline { timeout = max(0, min(timeout, deadline - Self.now())) }
        _ = poll(&fds, nfds_t(fds.count), Int32(timeout))
        let changes = watcher.readChanges()
        let overflow = watcher.takeOverflow()
        if !changes.isEmpty || overflow {
            let now = Self.now()
            if batch.isEmpty { batchStarted = now }
            // An overflow lost events: rebuild as if a file (not a reload-only one) changed.
            batch.add(changes + (overflow ? ["(inotify queue overflow)"] : []), at: now)
        }
        forwardAgentOutput()
        output.draw(status, now: Self.now())
    }

    private func forwardAgentOutput() {
        guard let agent else { return }
        for line in agent.readLines() { output.passthrough(line, status: status, now: Self.now()) }
    }

    private func report(_ event: DevEvent) {
        output.report(event, status: status, now: Self.now())
    }

    private func isReloadFile(_ path: String) -> Bool {
        let components = path.split(separator: "/")
        return reloadPatterns.contains { $0.matches(components, isDirectory: false) }
    }

    static func tail(_ text: String, lines: Int) -> [String] {
        Array(text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines).map(String.init))
    }

    static func now() -> Int64 { MonotonicClock.now() }
}

/// The result of work done on another thread, read by the loop.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<T, Error>?

    func set(_ result: Result<T, Error>) { lock.withLock { value = result } }
    func get() -> Result<T, Error>? { lock.withLock { value } }
}

extension DevEvent {
    /// A copy with `change` applied: `DevEvent(.serving).with { $0.pid = pid }`.
    func with(_ change: (inout DevEvent) -> Void) -> DevEvent {
        var copy = self
        change(&copy)
        return copy
    }
}
