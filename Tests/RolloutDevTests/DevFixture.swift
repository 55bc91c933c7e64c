import Foundation
import RolloutTestSupport
import Testing

/// A throw-away project under `/tmp` and `rollout dev --output json` running in it for real: inotify, a shell
/// build, `rollout-agent` and the demo service on a 127.0.0.1 port.
///
/// The "build" copies `src/version.txt` to `out/version` (and `src/flags` to `out/flags`), failing with a compiler-like
/// message when the source says BROKEN; the service is the demo service serving that version (`X-Version`) with
/// those flags. `out/` is in the project's `.gitignore`, as build output is.
final class DevFixture {
    let project: String
    let port: Int
    var process: FixtureProcess?

    init() throws {
        project = "/tmp/rollout-dev-test-\(UUID().uuidString.prefix(8))"
        port = try LocalPorts.free()
        for directory in ["src", "conf"] {
            try FileManager.default.createDirectory(
                atPath: "\(project)/\(directory)", withIntermediateDirectories: true)
        }
        try write(".gitignore", "out/\n")
        try write("src/version.txt", "v1\n")
        try write("src/flags", "")
        try write("conf/app.conf", "message = first\n")
        try write(
            "build.sh",
            """
            if grep -q BROKEN src/version.txt; then echo "src/version.txt:1: error: BROKEN is not a version" >&2; exit 2; fi
            mkdir -p out && cp src/version.txt out/version && cp src/flags out/flags
            """)
    }

    deinit {
        if let process, process.status == nil {
            let tree = ProcessTree.descendants(of: process.pid)
            process.signal(SIGKILL)
            tree.forEach { kill($0, SIGKILL) }
        }
        try? FileManager.default.removeItem(atPath: project)
    }

    func write(_ path: String, _ text: String) throws {
        try text.write(toFile: "\(project)/\(path)", atomically: false, encoding: .utf8)
    }

    /// Starts `rollout dev` and waits for its first `serving` event (`--output json`), or, in a terminal (a pty made
    /// by `script`, `--output text`), for its first "serving generation" line.
    func start(_ extra: [String] = [], inTerminal: Bool = false) throws {
        let rollout = try BuiltProducts.executable("rollout")
        let demo = try BuiltProducts.executable("rollout-demo-service")
        let arguments =
            [
                rollout, "dev", "--build", "sh build.sh",
                "--run", "\(demo) --version-string \"$(cat out/version)\" --config conf/app.conf $(cat out/flags)",
                "--listen", "127.0.0.1:\(port)", "--output", inTerminal ? "text" : "json", "--ready-timeout", "3s",
            ] + extra
        let script = "cd \"$0\" && exec \"$@\""
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "TERM": "xterm"]
        if inTerminal {
            let quoted = ([script, project] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            process = try FixtureProcess(
                executable: try BuiltProducts.tool("script"),
                arguments: ["-qfec", "/bin/sh -c " + quoted.joined(separator: " "), "/dev/null"],
                environment: environment)
            try waitFor(.seconds(60)) { self.process?.output.contains("serving generation 1 (pid") == true }
        } else {
            process = try FixtureProcess(
                executable: "/bin/sh", arguments: ["-c", script, project] + arguments, environment: environment)
            try waitFor(.seconds(60)) { self.events("serving").count == 1 }
        }
    }

    /// The pid of `rollout dev` itself (below `script` when in a terminal).
    func rolloutPID() -> Int32? {
        guard let process else { return nil }
        return ([process.pid] + ProcessTree.descendants(of: process.pid)).first { pid in
            let cmdline = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            return cmdline.split(separator: "\0").prefix(2).map(String.init).last == "dev"
        }
    }

    /// The JSON events printed so far (stdout; the agent's and service's lines on stderr are not JSON).
    func events(_ kind: String? = nil) -> [[String: Any]] {
        (process?.output ?? "").split(separator: "\n").compactMap { line -> [String: Any]? in
            guard line.hasPrefix("{\"") else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }.filter { kind == nil || $0["event"] as? String == kind }
    }

    func waitFor(_ timeout: Duration, _ condition: () -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return }
            if let process, let status = process.status {
                throw TestSupportError("rollout dev exited \(status):\n\(process.output)")
            }
            usleep(20_000)
        }
        throw TestSupportError("timed out after \(timeout); rollout dev printed:\n\(process?.output ?? "")")
    }

    func get() throws -> HTTPTestClient.Response {
        try HTTPTestClient.get(.loopback(host: "127.0.0.1", port: port), "/", timeout: .seconds(10))
    }

    /// SIGTERM: `rollout dev` drains the service and exits 0; the agent and every service process are gone.
    func stop() throws {
        guard let process else { return }
        let tree = ProcessTree.descendants(of: process.pid)
        process.signal(SIGTERM)
        #expect(try process.waitForExit(timeout: .seconds(60)) == 0, "\(process.output)")
        #expect(events("stopped").count == 1)
        let left = tree.filter { ProcessTree.isAlive($0) }
        #expect(left.isEmpty, "left behind: \(left)")
    }
}
