import Glibc

/// `rollout-demo-service`: a small HTTP/1.1 service that speaks the agent protocol.
///
/// Start-up order matters for zero downtime: listeners are adopted (or bound) first, the
/// optional startup delay passes, then the service starts accepting and only then says
/// `READY=1`. On SIGTERM/SIGINT it stops accepting, says `STOPPING=1`, finishes what is in
/// flight and exits 0 (1 if the drain deadline cut connections). Exit 2 is a usage error.
@main
enum DemoService {
    static func main() {
        let options: DemoOptions
        do {
            options = try DemoOptions.parse(Array(CommandLine.arguments.dropFirst()), environment: environment())
        } catch let error as DemoOptions.UsageError {
            if !error.description.isEmpty { log(error.description) }
            print(DemoOptions.usage)
            exit(error.description.isEmpty ? 0 : 2)
        } catch {
            log("\(error)")
            exit(2)
        }
        let version = options.version ?? defaultVersion(executablePath: executablePath())
        if options.printVersion {
            print(version)
            exit(0)
        }
        if let path = options.checkConfig { checkConfig(path) }
        if options.failAtStart {
            log("failing at start as asked (--fail-at-start / DEMO_FAIL_AT_START=1)")
            exit(1)
        }
        SignalWaiter.blockSignals(defaultPipeAction: options.logEveryMilliseconds != nil)
        let notifier = ReadinessNotifier(path: options.noNotify ? nil : environmentValue("NOTIFY_SOCKET"))
        let server: DemoServer
        do {
            var listeners = try adoptInheritedListeners() ?? []
            if listeners.isEmpty { listeners = try options.listenAddresses.map(bindListener) }
            guard !listeners.isEmpty else {
                log("no listeners: pass sockets with LISTEN_FDS/LISTEN_PID or use --listen 127.0.0.1:PORT")
                exit(2)
            }
            server = try DemoServer(
                listeners: listeners, version: version, messageFile: options.messageFile,
                configFile: options.configFile)
            let ignoreTerminate = options.ignoreTerminate
            let reloadDelay = options.reloadDelayMilliseconds
            try SignalWaiter.start { signo in
                handle(
                    signo, server: server, notifier: notifier, ignoreTerminate: ignoreTerminate,
                    reloadDelay: reloadDelay)
            }
        } catch let error as DemoOptions.UsageError {
            log(error.description)
            exit(2)
        } catch let error as DemoConfigError {
            log("invalid configuration \(options.configFile ?? ""): \(error)")
            exit(1)
        } catch {
            log("cannot start: \(error)")
            exit(1)
        }
        run(server, options: options, notifier: notifier)
    }

    private static func run(_ server: DemoServer, options: DemoOptions, notifier: ReadinessNotifier) -> Never {
        log("version \(server.version) on \(server.listeners.map(\.name).joined(separator: ", "))")
        let delayEnd = monotonicMilliseconds() + Int64(options.startupDelayMilliseconds)
        while !server.isDraining && monotonicMilliseconds() < delayEnd { sleepMilliseconds(10) }
        if options.neverReady {
            log("never becoming ready as asked (--never-ready / DEMO_NEVER_READY=1)")
        } else if !server.isDraining {
            do {
                try server.startAccepting()
            } catch {
                log("cannot start accepting: \(error)")
                exit(1)
            }
            notifier.send(["READY=1", "STATUS=serving version \(server.version)", "MAINPID=\(server.pid)"])
            log("ready")
        }
        let crashAt = options.crashAfterMilliseconds.map { monotonicMilliseconds() + Int64($0) }
        var nextLogLine = monotonicMilliseconds()
        var logLines = 0
        while !server.isDraining {
            if let every = options.logEveryMilliseconds, monotonicMilliseconds() >= nextLogLine {
                logLines += 1
                let line = "log line \(logLines) from pid \(server.pid)\n"
                _ = line.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
                nextLogLine = monotonicMilliseconds() + Int64(every)
            }
            if let crashAt, !options.neverReady, monotonicMilliseconds() >= crashAt {
                log("crashing as asked (--crash-after-ms / DEMO_CRASH_AFTER_MS)")
                // Die by SIGABRT like a real crash, without leaving a core file behind.
                var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
                setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
                abort()
            }
            sleepMilliseconds(10)
        }
        let deadline = server.drainStartMilliseconds + Int64(options.drainTimeoutMilliseconds)
        let stillOpen = server.waitUntilDrained(deadlineMilliseconds: deadline)
        for path in server.listeners.compactMap(\.ownedPath) { unlink(path) }
        if stillOpen > 0 {
            log("drain deadline of \(options.drainTimeoutMilliseconds) ms passed with \(stillOpen) connection(s) open")
            exit(1)
        }
        log("drained, exiting")
        exit(0)
    }

    private static func handle(
        _ signo: Int32, server: DemoServer, notifier: ReadinessNotifier, ignoreTerminate: Bool, reloadDelay: Int
    ) {
        switch signo {
        case SIGHUP:
            // sd_notify's reload protocol: RELOADING=1 first, READY=1 once the service serves again. A
            // rejected file is reported in between (STATUS= why, ERRNO=EINVAL), and the service goes on with
            // its previous configuration, the way nginx keeps its old workers on a bad `nginx -s reload`.
            notifier.send(["RELOADING=1", "MONOTONIC_USEC=\(monotonicMilliseconds() * 1000)"])
            // A slow reload, on request: the signal thread is busy meanwhile, as in a single-threaded server.
            if reloadDelay > 0 { sleepMilliseconds(reloadDelay) }
            server.reloadMessage()
            if let rejected = server.reloadConfig() {
                log("configuration rejected, keeping the previous one: \(rejected)")
                notifier.send(["STATUS=configuration rejected: \(rejected)", "ERRNO=\(EINVAL)", "READY=1"])
            } else {
                log("reloaded")
                notifier.send(["READY=1", "STATUS=serving version \(server.version)"])
            }
        default:
            guard !ignoreTerminate else {
                log("signal \(signo): ignored as asked (--ignore-sigterm / DEMO_IGNORE_SIGTERM=1)")
                return
            }
            guard !server.isDraining else { return }
            log("signal \(signo): draining")
            server.beginDrain()
            notifier.send(["STOPPING=1", "STATUS=draining"])
        }
    }

    /// `--check-config FILE`: exit 0 when the service would accept the file, else 1 with the reason on stderr
    /// (a validation command for config-only rollouts, like `nginx -t -c FILE`).
    private static func checkConfig(_ path: String) -> Never {
        switch DemoConfig.load(path) {
        case .success:
            print("\(path): configuration ok")
            exit(0)
        case .failure(let error):
            log("\(path): invalid configuration: \(error)")
            exit(1)
        }
    }

    private static func environment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
