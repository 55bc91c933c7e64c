import AgentKit
import Foundation
import RolloutJSON

/// Everything `rollout dev` was asked to do, checked, and the agent configuration that follows from it. Pure.
public struct DevOptions: Sendable {
    /// How the agent decides that a new generation is ready (`--ready`).
    public enum Readiness: Sendable, Equatable {
        /// `READY=1` on `NOTIFY_SOCKET` (the default).
        case notify
        /// `GET path` answers 2xx (with `pidHeader` equal to the new pid, when given).
        case http(path: String, pidHeader: String?)
        /// A TCP connect to the first listener succeeds.
        case tcp
        /// A fixed delay after the start.
        case delay(milliseconds: Int)
    }

    public var build: String
    public var run: String
    public var watch: [String]
    public var includes: [String]
    public var excludes: [String]
    /// Files whose change only reloads the service (`ctl reload-service`) instead of rebuilding.
    public var reload: [String]
    /// `[name=]host:port` or `[name=]unix:/path`; the first is `http` unless named.
    public var listen: [String]
    public var readiness: Readiness
    public var readyTimeout: Duration
    public var debounce: Duration
    public var buildTimeout: Duration
    /// Where the agent's config, control socket and notify sockets live (relative to the working directory).
    public var stateDirectory: String
    public var workingDirectory: String

    public init(
        build: String, run: String, watch: [String] = ["."], includes: [String] = [], excludes: [String] = [],
        reload: [String] = [], listen: [String] = ["127.0.0.1:8080"], readiness: Readiness = .notify,
        readyTimeout: Duration = .seconds(30), debounce: Duration = .milliseconds(20),
        buildTimeout: Duration = .seconds(600), stateDirectory: String = ".rollout/dev", workingDirectory: String
    ) {
        self.build = build
        self.run = run
        self.watch = watch
        self.includes = includes
        self.excludes = excludes
        self.reload = reload
        self.listen = listen
        self.readiness = readiness
        self.readyTimeout = readyTimeout
        self.debounce = debounce
        self.buildTimeout = buildTimeout
        self.stateDirectory = stateDirectory
        self.workingDirectory = workingDirectory
    }

    /// Parses `--ready`: `notify`, `http[:PATH[,pid-header=NAME]]`, `tcp`, `delay:DURATION` (`500ms`, `2s`).
    public static func parseReadiness(_ text: String) throws -> Readiness {
        if text == "notify" { return .notify }
        if text == "tcp" { return .tcp }
        if text == "http" || text.hasPrefix("http:") {
            let spec = text == "http" ? "" : String(text.dropFirst(5))
            let parts = spec.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let path = parts.first.flatMap { $0.isEmpty ? nil : $0 } ?? "/health"
            guard path.hasPrefix("/") else { throw DevError("--ready http:PATH needs an absolute path, got '\(path)'") }
            var pidHeader: String?
            for option in parts.dropFirst() {
                guard option.hasPrefix("pid-header="), option.count > 11 else {
                    throw DevError("--ready http: unknown option '\(option)'; use pid-header=NAME")
                }
                pidHeader = String(option.dropFirst(11))
            }
            return .http(path: path, pidHeader: pidHeader)
        }
        if text.hasPrefix("delay:"), let duration = ConfigDuration(parsing: String(text.dropFirst(6))) {
            return .delay(milliseconds: duration.milliseconds)
        }
        throw DevError("--ready '\(text)': use notify, http[:PATH[,pid-header=NAME]], tcp or delay:DURATION")
    }

    /// The listeners as (name, agent config key, address), checked.
    func listeners() throws -> [(name: String, key: String, address: String)] {
        guard !listen.isEmpty else { throw DevError("--listen: at least one address is needed") }
        var result: [(String, String, String)] = []
        for (index, entry) in listen.enumerated() {
            var name = index == 0 ? "http" : "listener\(index + 1)"
            var address = entry
            if let eq = entry.firstIndex(of: "="), !entry[..<eq].contains(":") {
                name = String(entry[..<eq])
                address = String(entry[entry.index(after: eq)...])
            }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw DevError("--listen '\(entry)': a name has letters, digits, - and _ only")
            }
            if address.hasPrefix("unix:") {
                guard address.count > 5 else { throw DevError("--listen '\(entry)': unix: needs a path") }
                result.append((name, "unix", String(address.dropFirst(5))))
            } else {
                guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
                    (1...65535).contains(port), colon > address.startIndex
                else {
                    throw DevError("--listen '\(entry)': use HOST:PORT (127.0.0.1:8080) or unix:/PATH")
                }
                result.append((name, "tcp", address))
            }
        }
        guard Set(result.map(\.0)).count == result.count else { throw DevError("--listen: names must be unique") }
        return result
    }

    var controlSocket: String { "\(absoluteState)/agent.sock" }
    var agentConfigPath: String { "\(absoluteState)/agent.yml" }
    var absoluteState: String {
        stateDirectory.hasPrefix("/") ? stateDirectory : "\(workingDirectory)/\(stateDirectory)"
    }

    /// The agent's configuration (docs/agent.md): the service runs `sh -c 'exec RUN'` in the working directory with
    /// this process's environment, on the listeners, without crash restarts (the next change starts it again); its
    /// output goes to the agent's stderr, tagged by generation.
    public func agentConfig(environment: [String: String]) throws -> String {
        func quoted(_ text: String) -> String {
            (try? JSONValue.string(text).compactText()) ?? #""""#
        }
        let listeners = try listeners()
        var lines = ["service: dev", "listeners:"]
        for listener in listeners {
            lines.append("  - {name: \(quoted(listener.name)), \(listener.key): \(quoted(listener.address))}")
        }
        lines.append("command: [\"/bin/sh\", \"-c\", \(quoted("exec " + run))]")
        lines.append("working_directory: \(quoted(workingDirectory))")
        let passed = environment.filter { key, _ in
            !["NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "ROLLOUT_AGENT_STATE"].contains(key)
        }
        lines.append("environment:")
        for (key, value) in passed.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(quoted(key)): \(quoted(value))")
        }
        if passed.isEmpty { lines[lines.count - 1] = "environment: {}" }
        let timeout = "\(readyTimeout.wholeMilliseconds)ms"
        switch readiness {
        case .notify:
            lines.append("readiness: {type: notify, timeout: \(timeout)}")
        case .tcp:
            lines.append("readiness: {type: tcp, timeout: \(timeout), interval: 50ms}")
        case .delay(let milliseconds):
            lines.append("readiness: {type: delay, timeout: \(timeout), delay: \(milliseconds)ms}")
        case .http(let path, let pidHeader):
            var readiness = "readiness: {type: http, timeout: \(timeout), interval: 50ms, path: \(quoted(path))"
            if let pidHeader { readiness += ", pid_header: \(quoted(pidHeader))" }
            lines.append(readiness + "}")
        }
        lines += [
            "stop: {signal: TERM, drain_timeout: 10s}",
            "restart: {policy: never}",
            "reload: {signal: HUP, timeout: 10s}",
            "control_socket: \(quoted(controlSocket))",
            "pid_file: \(quoted("\(absoluteState)/agent.pid"))",
            "runtime_directory: \(quoted(absoluteState))",
        ]
        let text = lines.joined(separator: "\n") + "\n"
        _ = try AgentConfig.parse(text, file: agentConfigPath)  // the agent would refuse it otherwise
        return text
    }
}

/// Bad input to `rollout dev`, or a failure it cannot go on from.
public struct DevError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Duration {
    /// The duration in whole milliseconds.
    var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
