import Foundation

extension LoadGenerator {
    /// The usage text of `commandLineMain`, for a `--help` of the command that wires it.
    public static let commandLineUsage = """
        usage: load --port P [--host 127.0.0.1 | --unix PATH] [--concurrency 32] [--duration 20s]
                    [--max-requests N] [--path /] [--no-keep-alive] [--timeout 10s]
                    [--slow-share 0.1 --slow-ms 200] [--rate N] [--json]
        Sends HTTP/1.1 GET requests to a service on this machine and reports every failure kind.
        --rate caps the requests per second over all connections.
        Durations: 500ms, 20s, 2m or plain seconds. Exit status: 0 no failed request, 1 some failed,
        2 usage error.
        """

    /// Runs a load from command-line arguments (without the command name) and prints the
    /// report: a summary, or the `LoadReport` as one JSON object with `--json`.
    ///
    /// Meant to be wired as a benchmark subcommand, e.g. `rollout-lab load --port P --json`.
    /// Returns the exit status: 0 when no request failed, 1 when some did, 2 on a usage error.
    public static func commandLineMain(_ arguments: [String], print output: (String) -> Void = { print($0) }) -> Int32 {
        do {
            let (configuration, json) = try Configuration.parse(commandLine: arguments)
            let report = try run(configuration)
            output(json ? report.jsonString() : report.summary)
            return report.failed == 0 ? 0 : 1
        } catch let error as LoadGeneratorError {
            output("load: \(error.message)\n\(commandLineUsage)")
            return 2
        } catch {
            output("load: \(error)")
            return 2
        }
    }
}

extension LoadGenerator.Configuration {
    /// Parses the options described in `LoadGenerator.commandLineUsage`; the second value is `--json`.
    public static func parse(commandLine arguments: [String]) throws -> (Self, json: Bool) {
        var configuration = Self(port: 0, duration: .seconds(20))
        var json = false
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw usage("\(flag) needs a value") }
            return next
        }
        func integer(_ flag: String) throws -> Int {
            let text = try value(flag)
            guard let number = Int(text) else { throw usage("\(flag) needs a whole number, got '\(text)'") }
            return number
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--port": configuration.port = try integer(flag)
            case "--host": configuration.host = try value(flag)
            case "--unix": configuration.unixSocketPath = try value(flag)
            case "--concurrency": configuration.concurrency = try integer(flag)
            case "--duration": configuration.duration = try duration(try value(flag), flag: flag)
            case "--max-requests": configuration.maxRequests = try integer(flag)
            case "--path": configuration.path = try value(flag)
            case "--no-keep-alive": configuration.keepAlive = false
            case "--timeout": configuration.requestTimeout = try duration(try value(flag), flag: flag)
            case "--slow-share":
                let text = try value(flag)
                guard let share = Double(text) else { throw usage("--slow-share needs a number 0...1, got '\(text)'") }
                configuration.slowShare = share
            case "--slow-ms": configuration.slowMilliseconds = try integer(flag)
            case "--rate": configuration.rate = try integer(flag)
            case "--json": json = true
            default: throw usage("unknown option '\(flag)'")
            }
        }
        _ = try configuration.validatedTarget()
        return (configuration, json)
    }

    /// `500ms`, `20s`, `2m`, or a plain number of seconds.
    static func duration(_ text: String, flag: String) throws -> Duration {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        for unit in units where text.hasSuffix(unit.suffix) {
            if let number = Double(text.dropLast(unit.suffix.count)), number >= 0 {
                return .milliseconds(Int64((number * unit.seconds * 1000).rounded()))
            }
        }
        if let seconds = Double(text), seconds >= 0 { return .milliseconds(Int64((seconds * 1000).rounded())) }
        throw usage("\(flag) needs a duration such as 500ms, 20s or 2m, got '\(text)'")
    }

    private static func usage(_ message: String) -> LoadGeneratorError {
        LoadGeneratorError(.invalidConfiguration, message)
    }
}

extension LoadReport {
    /// The report as one line of JSON with sorted keys (stable for scripts and `jq`).
    public func jsonString() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
