import Foundation
import RolloutTestSupport
import Testing

@Suite("Demo service: drain", .serialized)
struct DemoServiceDrainTests {
    @Test("SIGTERM with a /slow request in flight: it completes with 200, then the process exits 0")
    func inFlightRequestCompletes() throws {
        let listener = try TestListener.loopbackTCP()
        let notify = try NotifyReceiver()
        let service = try DemoServiceProcess.start(.init(listeners: [listener], notifySocket: notify.path))
        defer { service.stop() }
        try notify.waitFor("READY=1", timeout: .seconds(10))

        let slow = DemoTest.Background { try HTTPTestClient.get(listener.address, "/slow?ms=1500") }
        // The request is on its way well within this; the service then holds it for 1.5 s.
        Thread.sleep(forTimeInterval: 0.3)
        service.signal(SIGTERM)
        try notify.waitFor("STOPPING=1", timeout: .seconds(10))
        #expect(service.process.status == nil, "it must not exit while a request is in flight")

        let response = try slow.value()
        #expect(response.status == 200)
        #expect(response.headers["x-pid"] == "\(service.pid)")
        #expect(response.closes, "a response during the drain must say Connection: close")
        #expect(try service.waitForExit(timeout: .seconds(10)) == 0)
        #expect(DemoTest.acceptQueuedConnection(listener) == false)
    }

    @Test("an idle keep-alive connection is closed by the drain and the process exits 0")
    func idleConnectionClosedOnDrain() throws {
        let service = try DemoServiceProcess.start()
        defer { service.stop() }
        try service.waitUntilReady()
        let client = try HTTPTestClient(try #require(service.address))
        #expect(try client.request("/health").status == 200)

        service.signal(SIGTERM)

        #expect(DemoTest.eventually { client.isClosedByServer })
        #expect(try service.waitForExit(timeout: .seconds(10)) == 0)
    }

    @Test("past --drain-timeout-ms the process exits 1 without waiting for the slow request")
    func drainDeadline() throws {
        let service = try DemoServiceProcess.start(.init(arguments: ["--drain-timeout-ms", "300"]))
        defer { service.stop() }
        try service.waitUntilReady()
        let address = try #require(service.address)
        let slow = DemoTest.Background { try HTTPTestClient.get(address, "/slow?ms=20000", timeout: .seconds(30)) }
        Thread.sleep(forTimeInterval: 0.3)

        service.signal(SIGTERM)

        #expect(try service.waitForExit(timeout: .seconds(10)) == 1)
        #expect(service.output.contains("drain deadline of 300 ms passed"))
        #expect(throws: TestSupportError.self) { try slow.value() }
    }

    @Test(
        "two processes share one socket; the old one drains under load with zero failed requests",
        arguments: [true, false])
    func handoffUnderLoad(keepAlive: Bool) throws {
        let listener = try TestListener.loopbackTCP()
        let notify = try NotifyReceiver()
        let old = try DemoServiceProcess.start(.init(version: "old", listeners: [listener], notifySocket: notify.path))
        defer { old.stop() }
        try notify.waitFor("READY=1", timeout: .seconds(10))
        let load = try LoadGenerator.start(
            .init(
                port: listener.port, concurrency: 16, duration: .seconds(30), keepAlive: keepAlive, slowShare: 0.05,
                slowMilliseconds: 200))
        #expect(load.waitForSucceeded(200, timeout: .seconds(10)))

        let new = try DemoServiceProcess.start(.init(version: "new", listeners: [listener], notifySocket: notify.path))
        defer { new.stop() }
        try notify.waitFor("READY=1", timeout: .seconds(10))
        old.signal(SIGTERM)
        #expect(try old.waitForExit(timeout: .seconds(10)) == 0)
        let servedBefore = load.progress.succeeded
        #expect(load.waitForSucceeded(servedBefore + 200, timeout: .seconds(10)))
        let report = load.stop()

        #expect(report.failed == 0, "\(report.summary)\nold:\n\(old.output)\nnew:\n\(new.output)")
        #expect(report.pidsSeen == [old.pid, new.pid])
        #expect(report.versionsSeen.keys.sorted() == ["new", "old"])
    }
}
