import Glibc

/// The demo service's settings, from its command line with environment fallbacks.
///
/// Environment variables exist because an agent's service definition often passes settings
/// through the environment rather than argv (`DEMO_VERSION`, `DEMO_STARTUP_DELAY_MS`,
/// `DEMO_FAIL_AT_START=1`, `DEMO_NEVER_READY=1`, ...). A flag on the command line wins.
///
/// Besides its normal behaviour the service can misbehave on request, so that a supervisor's
/// tests can provoke every failure: fail at start, start slowly, never get ready, ignore the
/// readiness protocol, ignore SIGTERM, or crash after a while.
struct DemoOptions {
    /// `--listen` addresses: `HOST:PORT` (IPv4) or `unix:PATH`. Used only without `LISTEN_FDS`.
    var listenAddresses: [String] = []
    var version: String?
    var printVersion = false
    var startupDelayMilliseconds = 0
    var failAtStart = false
    var neverReady = false
    var drainTimeoutMilliseconds = 30_000
    var messageFile: String?
    /// `--config FILE`: the configuration (`DemoConfig`) re-read on SIGHUP; an invalid one is rejected.
    var configFile: String?
    /// Pause this long between `RELOADING=1` and applying the configuration (a slow reload).
    var reloadDelayMilliseconds = 0
    /// `--check-config FILE`: validate a configuration file and exit (0 valid, 1 invalid).
    var checkConfig: String?
    /// Do not send anything to `NOTIFY_SOCKET` (a service that only answers health probes).
    var noNotify = false
    /// Stay serving on SIGTERM/SIGINT (a service that must be killed after the drain deadline).
    var ignoreTerminate = false
    /// Abort (SIGABRT) this long after becoming ready, to simulate a crash.
    var crashAfterMilliseconds: Int?
    /// `--log-every MS`: write a line to stdout every MS ms while serving, with SIGPIPE at its default
    /// action (a service that dies if nobody reads its output any more).
    var logEveryMilliseconds: Int?

    static let usage = """
        usage: rollout-demo-service [--listen HOST:PORT|unix:PATH]... [--version-string V] [--version]
                                    [--startup-delay-ms N] [--fail-at-start] [--never-ready]
                                    [--drain-timeout-ms N] [--message-file PATH] [--config PATH]
                                    [--check-config PATH] [--reload-delay-ms N]
                                    [--no-notify] [--ignore-sigterm] [--crash-after-ms N] [--log-every MS]
        Listeners come from LISTEN_FDS/LISTEN_PID (systemd socket passing) when set, else from --listen.
        --config PATH: `message = TEXT` (re-read on SIGHUP; an invalid file is rejected and the old one kept).
        --check-config PATH: exit 0 if PATH is a valid --config file, else 1 with the reason.
        --log-every MS: write a line to stdout every MS ms while serving; SIGPIPE then keeps its default action.
        Environment: DEMO_VERSION, DEMO_CONFIG, DEMO_RELOAD_DELAY_MS, DEMO_STARTUP_DELAY_MS, DEMO_FAIL_AT_START=1, DEMO_NEVER_READY=1,
        DEMO_NO_NOTIFY=1, DEMO_IGNORE_SIGTERM=1, DEMO_CRASH_AFTER_MS.
        """

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses `arguments` (without the program name) over the defaults taken from `environment`.
    static func parse(_ arguments: [String], environment: [String: String]) throws -> DemoOptions {
        var options = DemoOptions()
        options.version = environment["DEMO_VERSION"].flatMap { $0.isEmpty ? nil : $0 }
        options.configFile = environment["DEMO_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        if let delay = environment["DEMO_RELOAD_DELAY_MS"] {
            options.reloadDelayMilliseconds = try milliseconds(delay, name: "DEMO_RELOAD_DELAY_MS")
        }
        if let delay = environment["DEMO_STARTUP_DELAY_MS"] {
            options.startupDelayMilliseconds = try milliseconds(delay, name: "DEMO_STARTUP_DELAY_MS")
        }
        options.failAtStart = environment["DEMO_FAIL_AT_START"] == "1"
        options.neverReady = environment["DEMO_NEVER_READY"] == "1"
        options.noNotify = environment["DEMO_NO_NOTIFY"] == "1"
        options.ignoreTerminate = environment["DEMO_IGNORE_SIGTERM"] == "1"
        if let crash = environment["DEMO_CRASH_AFTER_MS"] {
            options.crashAfterMilliseconds = try milliseconds(crash, name: "DEMO_CRASH_AFTER_MS")
        }

        var rest = arguments[...]
        func value(for flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw UsageError(description: "\(flag) needs a value") }
            return next
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--listen": options.listenAddresses.append(try value(for: argument))
            case "--version-string": options.version = try value(for: argument)
            case "--version": options.printVersion = true
            case "--startup-delay-ms":
                options.startupDelayMilliseconds = try milliseconds(try value(for: argument), name: argument)
            case "--fail-at-start": options.failAtStart = true
            case "--never-ready": options.neverReady = true
            case "--drain-timeout-ms":
                options.drainTimeoutMilliseconds = try milliseconds(try value(for: argument), name: argument)
            case "--message-file": options.messageFile = try value(for: argument)
            case "--config": options.configFile = try value(for: argument)
            case "--check-config": options.checkConfig = try value(for: argument)
            case "--reload-delay-ms":
                options.reloadDelayMilliseconds = try milliseconds(try value(for: argument), name: argument)
            case "--no-notify": options.noNotify = true
            case "--ignore-sigterm": options.ignoreTerminate = true
            case "--crash-after-ms":
                options.crashAfterMilliseconds = try milliseconds(try value(for: argument), name: argument)
            case "--log-every":
                let every = try milliseconds(try value(for: argument), name: argument)
                guard every > 0 else { throw UsageError(description: "--log-every must be at least 1 ms") }
                options.logEveryMilliseconds = every
            case "-h", "--help": throw UsageError(description: "")
            default: throw UsageError(description: "unknown argument '\(argument)'")
            }
        }
        return options
    }

    private static func milliseconds(_ text: String, name: String) throws -> Int {
        guard let value = Int(text), value >= 0 else {
            throw UsageError(description: "\(name) must be a non-negative number of milliseconds, got '\(text)'")
        }
        return value
    }
}

/// The version the service reports when none is configured.
///
/// A binary deployed Capistrano-style runs from `<root>/releases/<version>/...`; the kernel's
/// `/proc/self/exe` has the symlinks (`current -> releases/v2`) already resolved, so the release
/// directory names the version even when the agent started `<root>/current/bin/service`.
func defaultVersion(executablePath: String?) -> String {
    guard let path = executablePath else { return "dev" }
    let components = path.split(separator: "/").map(String.init)
    // The release directory must contain the binary, so it cannot be the last component.
    guard let index = components.dropLast().lastIndex(of: "releases"), index + 1 < components.count - 1 else {
        return "dev"
    }
    return components[index + 1]
}

/// The resolved path of the running executable, from `/proc/self/exe`.
func executablePath() -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard length > 0 else { return nil }
    return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
