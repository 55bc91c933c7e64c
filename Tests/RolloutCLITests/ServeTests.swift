import Foundation
import RolloutModel
import RolloutStore
import RolloutTestSupport
import Testing

/// `rollout serve` for real: the built binary on a 127.0.0.1 port over a journal, asked with HTTP and looked at with a
/// real headless Chromium (Debian's), which also follows a rollout running on the test cluster.
@Suite("rollout serve and the reports in a browser", .serialized)
struct ServeTests {
    static let hostile = "<script>alert(1)</script>"

    /// A journal with a succeeded rollout (one host named like a script) and a failed one.
    static func journal(in directory: String) async throws -> String {
        let path = "\(directory)/state.db"
        let store = try JournalStore(path: path)
        let t0 = Date().addingTimeInterval(-600)
        let who = ControllerIdentity(user: "ci", host: "runner", pid: 7, ciJob: nil)
        for (index, failing) in [false, true].enumerated() {
            let start = t0.addingTimeInterval(Double(index) * 100)
            let id = try await store.beginRollout(
                RolloutStart(
                    inventory: "inventories/prod.yml", playbook: "web", version: "v\(index + 2)",
                    previousVersion: "v\(index + 1)", strategy: "batches of 2", startedBy: who, startedAt: start))
            let names = ["h1", failing ? "h2" : hostile]
            try await store.addHosts(
                names.enumerated().map {
                    HostEntry(
                        name: $0.element, address: nil, position: $0.offset, batch: 0, fromVersion: "v\(index + 1)",
                        toVersion: "v\(index + 2)", strategy: "hot")
                }, to: id, at: start)
            for (position, name) in names.enumerated() {
                let fails = failing && position == 1
                let restart = try await store.beginPhase(
                    .restart, host: name, in: id, detail: .object(["agent": .object(["new_pid": .int(4711)])]),
                    at: start.addingTimeInterval(1))
                try await store.finishPhase(restart, outcome: .ok, at: start.addingTimeInterval(2))
                let verify = try await store.beginPhase(.verify, host: name, in: id, at: start.addingTimeInterval(2))
                try await store.finishPhase(
                    verify, outcome: fails ? .failed : .ok, error: fails ? "GET /health answered 503" : nil,
                    at: start.addingTimeInterval(4))
                try await store.setHostStatus(
                    fails ? .failed : .succeeded, host: name, in: id, at: start.addingTimeInterval(4))
            }
            try await store.finishRollout(
                id, status: failing ? .failed : .succeeded, exitCode: failing ? 1 : 0,
                error: failing ? "1 of 2 hosts failed" : nil, at: start.addingTimeInterval(5))
        }
        return path
    }

    /// `rollout serve` on any free loopback port; returns the process and its port once it listens.
    static func serve(_ state: String, _ extra: [String] = []) throws -> (FixtureProcess, Int) {
        let process = try FixtureProcess(
            executable: try BuiltProducts.executable("rollout"),
            arguments: ["serve", "--state", state, "--listen", "127.0.0.1:0"] + extra,
            environment: ["PATH": "/usr/bin:/bin"])
        let line = try process.waitForOutput(containing: "serving http://127.0.0.1:", timeout: .seconds(60))
        guard let match = line.firstMatch(of: /serving http:\/\/127\.0\.0\.1:(\d+)\//), let port = Int(match.output.1)
        else { throw TestSupportError("no port in: \(line)") }
        return (process, port)
    }

    static func temporaryDirectory() throws -> String {
        let path = "/tmp/rollout-serve-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("GET only (405 otherwise), every journal string escaped, 400/404 on bad ids, filters, JSON API")
    func readOnlyAndEscaped() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (server, port) = try Self.serve(try await Self.journal(in: directory))
        defer { server.stop() }
        let address = LocalAddress.loopback(host: "127.0.0.1", port: port)
        func request(_ path: String, _ method: String = "GET") throws -> HTTPTestClient.Response {
            try HTTPTestClient(address).request(path, method: method, body: method == "GET" ? nil : "x")
        }

        let history = try request("/")
        #expect(history.status == 200 && history.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(history.body.components(separatedBy: "<tr class=\"rollout ").count - 1 == 2)
        let failedOnly = try request("/?status=failed")
        #expect(failedOnly.body.components(separatedBy: "<tr class=\"rollout ").count - 1 == 1)
        #expect(failedOnly.body.contains("data-id=\"2\""))
        #expect(try request("/?version=v9").body.contains("<p id=\"empty\">"))

        let page = try request("/rollouts/1")
        #expect(page.status == 200)
        #expect(!page.body.contains(Self.hostile), "a host named <script> stays text")
        #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let hostPath = "/rollouts/1/hosts/" + Self.hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let host = try request(hostPath)
        #expect(host.status == 200 && !host.body.contains(Self.hostile), "\(host.status)")
        #expect(host.body.contains("&quot;new_pid&quot;: 4711"), "the agent's answer from the phase detail")
        let failedPage = try request("/rollouts/2")
        #expect(failedPage.body.contains("<li class=\"failure\" data-host=\"h2\""))
        #expect(!failedPage.body.contains("id=\"live\""), "no live feed for a finished rollout")

        let api = try request("/api/rollouts?limit=1")
        let listed = try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any]
        #expect((listed?["rollouts"] as? [[String: Any]])?.count == 1)
        let one =
            try JSONSerialization.jsonObject(with: Data(try request("/api/rollouts/2").body.utf8)) as? [String: Any]
        #expect((one?["hosts"] as? [[String: Any]])?.count == 2 && one?["status"] as? String == "failed")
        // A stream (chunked), read as a browser's EventSource would, up to its `end` event.
        let reader = """
            import sys, urllib.request
            response = urllib.request.urlopen(sys.argv[1], timeout=30)
            print(response.headers["Content-Type"])
            for line in response:
                sys.stdout.write(line.decode())
                if line.startswith(b"event: end"):
                    sys.stdout.write(response.readline().decode())
                    break
            """
        let events = try runCommand(
            try BuiltProducts.tool("python3"), ["-c", reader, "http://127.0.0.1:\(port)/api/rollouts/2/events"],
            timeout: .seconds(60))
        #expect(events.stdout.hasPrefix("text/event-stream"), "\(events.stdout)\(events.stderr)")
        #expect(events.stdout.components(separatedBy: "event: phase\n").count - 1 == 4, "every phase, in order")
        #expect(events.stdout.contains("\"error\":\"GET /health answered 503\",\"finished_at\""))
        #expect(events.stdout.contains("event: end\ndata: {\"exit_code\":1,\"status\":\"failed\"}"), "\(events.stdout)")

        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            let refused = try request("/api/rollouts/1", method)
            #expect(refused.status == 405 && refused.headers["allow"] == "GET, HEAD", "\(method): \(refused.status)")
        }
        #expect(try request("/rollouts/abc").status == 400)
        #expect(try request("/rollouts/0").status == 400)
        #expect(try request("/rollouts/99").status == 404)
        #expect(try request("/rollouts/1/hosts/nope").status == 404)
        #expect(try request("/api/rollouts?limit=0").status == 400)
        #expect(try request("/api/rollouts/99").status == 404)
    }

    @Test("a token: required off loopback, then needed by every request (header or query)")
    func token() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state = try await Self.journal(in: directory)
        let refused = try runCommand(
            try BuiltProducts.executable("rollout"), ["serve", "--state", state, "--listen", "0.0.0.0:0"],
            timeout: .seconds(30))
        #expect(refused.status == 2 && refused.stderr.contains("--token"), "\(refused.stderr)")
        #expect(
            try runCommand(
                try BuiltProducts.executable("rollout"), ["serve", "--state", "\(directory)/none.db"],
                timeout: .seconds(30)
            ).status == 2)

        let (server, port) = try Self.serve(state, ["--token", "s3cret"])
        defer { server.stop() }
        let address = LocalAddress.loopback(host: "127.0.0.1", port: port)
        #expect(try HTTPTestClient(address).request("/").status == 401)
        #expect(try HTTPTestClient(address).request("/", headers: ["Authorization": "Bearer wrong"]).status == 401)
        #expect(try HTTPTestClient(address).request("/", headers: ["Authorization": "Bearer s3cret"]).status == 200)
        let page = try HTTPTestClient(address).request("/?token=s3cret")
        #expect(page.status == 200 && page.body.contains("/rollouts/1?token=s3cret"), "links carry the token")
    }

    @Test("Chromium renders the report file and the served pages: one row per host, the failure visible; screenshots")
    func browser() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state = try await Self.journal(in: directory)
        let show = try runCommand(
            try BuiltProducts.executable("rollout"), ["show", "2", "--state", state, "--output", "html"],
            timeout: .seconds(30))
        let report = "\(directory)/report.html"
        try show.stdout.write(toFile: report, atomically: true, encoding: .utf8)
        let (server, port) = try Self.serve(state)
        defer { server.stop() }
        let browser = try HeadlessChromium()
        defer { browser.close() }
        let shots = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-screenshots").path
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)

        for (name, url) in [("report-file", "file://\(report)"), ("served", "http://127.0.0.1:\(port)/rollouts/2")] {
            try browser.navigate(url)
            #expect(try browser.evaluate("document.querySelectorAll('svg .row.host').length") as? Int == 2, "\(name)")
            #expect(try browser.evaluate("document.getElementById('status').textContent") as? String == "failed")
            let failures = try browser.evaluate("document.getElementById('failures').innerText") as? String ?? ""
            #expect(failures.contains("h2") && failures.contains("GET /health answered 503"), "\(name): \(failures)")
            let failedBar =
                try browser.evaluate(
                    "getComputedStyle(document.querySelector('rect.bar.failed')).fill") as? String
            #expect(failedBar == "rgb(198, 40, 40)", "the failed phase is drawn red: \(failedBar ?? "none")")
            let shot = "\(shots)/\(name).png"
            try browser.screenshot(to: shot)
            let png = try Data(contentsOf: URL(fileURLWithPath: shot))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "\(shot): \(png.count) bytes")
            print("screenshot: \(shot) (\(png.count) bytes)")
        }
        try browser.navigate("http://127.0.0.1:\(port)/")
        #expect(try browser.evaluate("document.querySelectorAll('#rollouts tr.rollout').length") as? Int == 2)
        try browser.navigate("http://127.0.0.1:\(port)/rollouts/1")
        let label = try browser.evaluate(
            "document.querySelector('svg .row.host[data-status=succeeded] .label').textContent")
        #expect(label as? String == "h1", "text, not markup")
        #expect(try browser.evaluate("document.querySelectorAll('script').length") as? Int == 0, "no injected script")
    }

    @Test("the live page receives the phases of a real rollout on the test cluster as they happen")
    func livePage() throws {
        // The rollout holds before each restart while the gate file exists: the page is opened while it runs.
        let gate = "/tmp/rollout-serve-gate-\(UUID().uuidString.prefix(8))"
        let hook = "while [ -e \(gate) ]; do sleep 0.1; done"
        let fixture = try DeployFixture(
            hosts: 2, playbookExtra: "serial: 1\nhooks:\n  before_restart: [{run: \"\(hook)\", on: controller}]")
        defer {
            unlink(gate)
            fixture.stop()
        }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        #expect(try fixture.deploy("v1").status == 0)
        FileManager.default.createFile(atPath: gate, contents: nil)
        let deploy = try DeployBackground(
            fixture, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v2"])
        #expect(deploy.waitForPhase("upload"), "\(deploy.stderr)")
        let (server, port) = try Self.serve(fixture.state)
        defer { server.stop() }
        let browser = try HeadlessChromium()
        defer { browser.close() }
        try browser.navigate("http://127.0.0.1:\(port)/rollouts/2")
        #expect(try browser.evaluate("document.getElementById('status').textContent") as? String == "running")
        func live() throws -> Int {
            try browser.evaluate("document.querySelectorAll('#live-events li').length") as? Int ?? 0
        }
        // The phases journaled so far arrive first; then the rollout goes on.
        let opened = ContinuousClock.now + .seconds(30)
        while try live() == 0 && ContinuousClock.now < opened { usleep(100_000) }
        unlink(gate)
        let deadline = ContinuousClock.now + .seconds(60)
        var seen: [Int] = []
        while ContinuousClock.now < deadline {
            seen.append(try live())
            if try browser.evaluate("document.getElementById('live-state').dataset.finished") as? String == "1" {
                break
            }
            usleep(200_000)
        }
        #expect(deploy.wait() == 0, "\(deploy.stderr)")
        let first = seen.first { $0 > 0 } ?? 0
        #expect(first > 0 && (seen.last ?? 0) > first, "events kept arriving while it ran: \(seen)")
        let items =
            try browser.evaluate(
                "Array.from(document.querySelectorAll('#live-events li')).map(li => li.dataset.host + ' ' + li.dataset.phase).join(',')"
            ) as? String ?? ""
        #expect(items.contains("h2 verify"), "the last host's verify arrived live: \(items)")
        let state = try browser.evaluate("document.getElementById('live-state').textContent") as? String
        #expect(state?.hasPrefix("finished: succeeded") == true, "\(state ?? "")")
    }
}
