import Foundation
import RolloutTestSupport
import Testing

@Suite("Demo service: agent protocol", .serialized)
struct DemoServiceProtocolTests {
    @Test("serves on sockets passed as fd 3 and 4 with LISTEN_FDS and a matching LISTEN_PID")
    func adoptsInheritedListeners() throws {
        let tcp = try TestListener.loopbackTCP()
        let unix = try TestListener.unix(path: "/tmp/rollout-demo-\(UUID().uuidString.prefix(8)).sock")
        let service = try DemoServiceProcess.start(.init(version: "fd", listeners: [tcp, unix]))
        defer { service.stop() }
        try service.waitUntilReady()

        for address in [tcp.address, unix.address] {
            let response = try HTTPTestClient.get(address, "/")
            #expect(response.status == 200)
            #expect(response.body == "version=fd pid=\(service.pid)\n", "through \(address)")
        }
        #expect(!service.output.contains("listening on"), "it must not bind sockets of its own")
    }

    @Test("sockets whose LISTEN_PID names another process are left alone")
    func ignoresListenersForAnotherPid() throws {
        let shared = try TestListener.loopbackTCP()
        let service = try DemoServiceProcess.start(
            .init(listeners: [shared], listenPID: .other(getpid()), arguments: ["--listen", "127.0.0.1:0"]))
        defer { service.stop() }
        try service.waitUntilReady()
        #expect(service.output.contains("ignoring LISTEN_FDS=1"))
        // It serves on its own --listen port instead...
        let ownPort = try #require(service.output.firstMatch(of: /listening on 127\.0\.0\.1:(\d+)/).map { Int($0.1)! })
        #expect(try HTTPTestClient.get(.loopback(host: "127.0.0.1", port: ownPort), "/health").status == 200)

        // ...and a connection to the passed socket stays in its queue, unaccepted.
        let client = try HTTPTestClient(shared.address, timeout: .milliseconds(500))
        #expect(throws: TestSupportError.self) { try client.request("/health") }
        #expect(DemoTest.acceptQueuedConnection(shared), "the connection was taken by the service")
    }

    @Test("without any LISTEN_FDS or --listen the service exits with a usage error")
    func noListenersIsAnError() throws {
        let shared = try TestListener.loopbackTCP()
        let service = try DemoServiceProcess.start(.init(listeners: [shared], listenPID: .other(1)))
        #expect(try service.waitForExit(timeout: .seconds(10)) == 2)
        #expect(service.output.contains("no listeners"))
    }

    @Test(
        "READY=1 with MAINPID and STATUS arrives on NOTIFY_SOCKET, STOPPING=1 on SIGTERM",
        arguments: [false, true])
    func notifiesReadiness(abstractSocket: Bool) throws {
        let notify = try NotifyReceiver(abstract: abstractSocket)
        let listener = try TestListener.loopbackTCP()
        let service = try DemoServiceProcess.start(
            .init(version: "n1", listeners: [listener], notifySocket: notify.path))
        defer { service.stop() }

        let ready = try notify.waitFor("READY=1", timeout: .seconds(10)).last!
        #expect(ready.contains("MAINPID=\(service.pid)\n"))
        #expect(ready.contains("STATUS=serving version n1\n"))
        #expect(try HTTPTestClient.get(listener.address, "/health").status == 200)

        service.signal(SIGTERM)
        try notify.waitFor("STOPPING=1", timeout: .seconds(10))
        #expect(try service.waitForExit(timeout: .seconds(10)) == 0)
    }

    @Test(
        "with a startup delay, READY=1 comes after it and a request queued meanwhile is answered",
        arguments: [["--startup-delay-ms", "400"], []])
    func startupDelay(arguments: [String]) throws {
        let notify = try NotifyReceiver()
        let listener = try TestListener.loopbackTCP()
        let environment = arguments.isEmpty ? ["DEMO_STARTUP_DELAY_MS": "400"] : [:]
        let started = ContinuousClock.now
        let service = try DemoServiceProcess.start(
            .init(listeners: [listener], notifySocket: notify.path, arguments: arguments, environment: environment))
        defer { service.stop() }
        let early = DemoTest.Background { try HTTPTestClient.get(listener.address, "/") }

        try notify.waitFor("READY=1", timeout: .seconds(10))
        #expect(ContinuousClock.now - started >= .milliseconds(400))
        let response = try early.value()
        #expect(response.status == 200)
        #expect(response.headers["x-pid"] == "\(service.pid)")
    }

    @Test("an fd in LISTEN_FDS that is not a listening socket makes it exit 1 at start")
    func rejectsNonListeningFD() throws {
        let notListening = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        defer { close(notListening) }
        let notify = try NotifyReceiver()
        let process = try FixtureProcess(
            executable: try BuiltProducts.executable("rollout-demo-service"), arguments: [],
            environment: ["NOTIFY_SOCKET": notify.path], inheritedFDs: [notListening])

        #expect(try process.waitForExit(timeout: .seconds(10)) == 1)
        #expect(process.output.contains("fd 3 from LISTEN_FDS is a socket but not listening"))
        #expect(notify.receive(timeout: .milliseconds(20)) == nil)
    }

    @Test("--fail-at-start and DEMO_FAIL_AT_START=1 exit 1 at once without READY=1")
    func failAtStart() throws {
        for (arguments, environment) in [(["--fail-at-start"], [:]), ([], ["DEMO_FAIL_AT_START": "1"])] {
            let notify = try NotifyReceiver()
            let listener = try TestListener.loopbackTCP()
            let service = try DemoServiceProcess.start(
                .init(listeners: [listener], notifySocket: notify.path, arguments: arguments, environment: environment))
            #expect(try service.waitForExit(timeout: .seconds(10)) == 1)
            #expect(notify.receive(timeout: .milliseconds(20)) == nil)
        }
    }

    @Test("--never-ready never sends READY=1 nor takes connections, and still stops on SIGTERM")
    func neverReady() throws {
        let notify = try NotifyReceiver()
        let listener = try TestListener.loopbackTCP()
        let service = try DemoServiceProcess.start(
            .init(listeners: [listener], notifySocket: notify.path, environment: ["DEMO_NEVER_READY": "1"]))
        defer { service.stop() }
        _ = try service.process.waitForOutput(containing: "never becoming ready", timeout: .seconds(10))

        let client = try HTTPTestClient(listener.address, timeout: .milliseconds(500))
        #expect(throws: TestSupportError.self) { try client.request("/health") }
        #expect(notify.receive(timeout: .milliseconds(20)) == nil)
        #expect(DemoTest.acceptQueuedConnection(listener), "the connection was taken by the service")
        #expect(service.stop() == 0)
    }

    @Test("--no-notify serves without a word on NOTIFY_SOCKET (a service readied by health probes)")
    func noNotify() throws {
        let notify = try NotifyReceiver()
        let service = try DemoServiceProcess.start(.init(notifySocket: notify.path, arguments: ["--no-notify"]))
        defer { service.stop() }
        try service.waitUntilReady()

        #expect(try HTTPTestClient.get(try #require(service.address), "/health").status == 200)
        service.signal(SIGTERM)
        #expect(try service.waitForExit(timeout: .seconds(10)) == 0)
        #expect(notify.receive(timeout: .milliseconds(20)) == nil)
    }

    @Test("--ignore-sigterm keeps serving after SIGTERM, so only a kill ends it")
    func ignoresSIGTERM() throws {
        let service = try DemoServiceProcess.start(.init(environment: ["DEMO_IGNORE_SIGTERM": "1"]))
        defer { service.stop(timeout: .zero) }
        try service.waitUntilReady()
        let client = try HTTPTestClient(try #require(service.address))

        service.signal(SIGTERM)
        _ = try service.process.waitForOutput(containing: "ignored as asked", timeout: .seconds(10))

        let response = try client.request("/health")
        #expect(response.status == 200 && !response.closes)
        #expect(service.process.status == nil)
        #expect(service.stop(timeout: .milliseconds(200)) == 128 + SIGKILL)
    }

    @Test("--crash-after-ms dies by SIGABRT after serving for a while")
    func crashAfter() throws {
        let service = try DemoServiceProcess.start(.init(arguments: ["--crash-after-ms", "300"]))
        defer { service.stop() }
        try service.waitUntilReady()
        #expect(try HTTPTestClient.get(try #require(service.address), "/health").status == 200)

        #expect(try service.waitForExit(timeout: .seconds(10)) == 128 + SIGABRT)
        #expect(service.output.contains("crashing as asked"))
    }
}
