import Foundation
import RolloutTestSupport
import Testing

@Suite("Demo service: HTTP", .serialized)
struct DemoServiceHTTPTests {
    @Test("/, /health, /slow and 404 are answered on one keep-alive connection")
    func endpointsOnOneConnection() throws {
        let service = try DemoServiceProcess.start(.init(version: "t1"))
        defer { service.stop() }
        try service.waitUntilReady()
        let client = try HTTPTestClient(try #require(service.address))

        let root = try client.request("/")
        #expect(root.status == 200)
        #expect(root.body == "version=t1 pid=\(service.pid)\n")
        #expect(root.headers["x-version"] == "t1")
        #expect(root.headers["x-pid"] == "\(service.pid)")
        #expect(root.headers["content-length"] == "\(root.body.utf8.count)")
        #expect(!root.closes)

        let health = try client.request("/health")
        #expect(health.status == 200)
        #expect(health.body == "ok")
        #expect(health.headers["x-pid"] == "\(service.pid)", "a readiness probe can tell which generation answered")
        #expect(health.headers["x-version"] == "t1")

        let missing = try client.request("/nope")
        #expect(missing.status == 404)
        #expect(missing.headers["content-length"] != nil)

        let started = ContinuousClock.now
        let slow = try client.request("/slow?ms=300")
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        #expect(slow.status == 200)
        #expect(slow.body == root.body)

        let head = try client.request("/", method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.headers["content-length"] == root.headers["content-length"])

        let post = try client.request("/", method: "POST", body: "12345")
        #expect(post.status == 405)
        // The POST body was consumed, not mistaken for the next request.
        #expect(try client.request("/health").body == "ok")
    }

    @Test("requests it cannot serve get an error status and the connection is closed")
    func malformedRequests() throws {
        let service = try DemoServiceProcess.start()
        defer { service.stop() }
        try service.waitUntilReady()
        let address = try #require(service.address)

        let chunked = try HTTPTestClient(address).request(
            "/", method: "POST", headers: ["Transfer-Encoding": "chunked"])
        #expect(chunked.status == 411 && chunked.closes)
        let huge = try HTTPTestClient(address).request(
            "/", headers: ["X-Filler": String(repeating: "a", count: 20_000)])
        #expect(huge.status == 431 && huge.closes)
        let badLine = try HTTPTestClient(address).request("/ with spaces")
        #expect(badLine.status == 400 && badLine.closes)
        #expect(try HTTPTestClient.get(address, "/health").status == 200)
    }

    @Test("--listen unix:PATH serves on a Unix stream socket next to TCP")
    func listensOnUnixSocket() throws {
        let path = "/tmp/rollout-demo-\(UUID().uuidString.prefix(8)).sock"
        let service = try DemoServiceProcess.start(.init(version: "u", arguments: ["--listen", "unix:\(path)"]))
        defer { service.stop() }
        try service.waitUntilReady()

        #expect(try HTTPTestClient.get(.unix(path: path), "/").body == "version=u pid=\(service.pid)\n")
        #expect(try HTTPTestClient.get(try #require(service.address), "/health").status == 200)
        #expect(service.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: path), "the socket file it created must be removed")
    }

    @Test("'Connection: close' from the client is honoured")
    func connectionCloseHonoured() throws {
        let service = try DemoServiceProcess.start()
        defer { service.stop() }
        try service.waitUntilReady()
        let client = try HTTPTestClient(try #require(service.address))

        let response = try client.request("/health", headers: ["Connection": "close"])

        #expect(response.status == 200)
        #expect(response.closes)
        #expect(response.headers["connection"] == "close")
        #expect(DemoTest.eventually { client.isClosedByServer })
    }

    @Test("64 concurrent keep-alive connections are all served")
    func sixtyFourKeepAliveConnections() throws {
        let service = try DemoServiceProcess.start()
        defer { service.stop() }
        try service.waitUntilReady()

        let report = try LoadGenerator.run(
            .init(port: try #require(service.port), concurrency: 64, duration: .seconds(20), maxRequests: 1280))

        #expect(report.succeeded == 1280, "\(report.summary)")
        #expect(report.failed == 0)
        #expect(report.connectionsOpened == 64)
    }

    @Test("the version defaults to the release directory the binary runs from")
    func versionFromReleaseDirectory() throws {
        let built = try BuiltProducts.executable("rollout-demo-service")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("demo-root-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let bin = root.appendingPathComponent("releases/v9/bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: built, toPath: bin.appendingPathComponent("svc").path)
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("current").path, withDestinationPath: "releases/v9")

        let viaCurrent = try runCommand(
            root.appendingPathComponent("current/bin/svc").path, ["--version"], environment: [:])
        #expect(viaCurrent.stdout == "v9\n", "\(viaCurrent.stderr)")
        let fromBuild = try runCommand(built, ["--version"], environment: [:])
        #expect(fromBuild.stdout == "dev\n")
        let fromEnvironment = try runCommand(built, ["--version"], environment: ["DEMO_VERSION": "env-1"])
        #expect(fromEnvironment.stdout == "env-1\n")
        let fromFlag = try runCommand(
            built, ["--version-string", "flag-1", "--version"], environment: ["DEMO_VERSION": "x"])
        #expect(fromFlag.stdout == "flag-1\n")
    }

    @Test("SIGHUP re-reads the message file and reports RELOADING=1 then READY=1")
    func reloadOnSIGHUP() throws {
        let messageFile = FileManager.default.temporaryDirectory.appendingPathComponent("demo-msg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: messageFile) }
        try "first\n".write(to: messageFile, atomically: true, encoding: .utf8)
        let notify = try NotifyReceiver()
        let service = try DemoServiceProcess.start(
            .init(notifySocket: notify.path, arguments: ["--message-file", messageFile.path]))
        defer { service.stop() }
        try notify.waitFor("READY=1", timeout: .seconds(10))
        let address = try #require(service.address)
        #expect(try HTTPTestClient.get(address, "/").body.contains("message=first\n"))

        try "second\n".write(to: messageFile, atomically: true, encoding: .utf8)
        service.signal(SIGHUP)

        let messages = try notify.waitFor("READY=1", timeout: .seconds(10))
        #expect(messages.first?.hasPrefix("RELOADING=1\n") == true, "\(messages)")
        #expect(try HTTPTestClient.get(address, "/").body.contains("message=second\n"))
    }
}
