import Foundation
import RolloutConfig
import RolloutCore
import RolloutGateway
import RolloutTestSupport
import Testing

/// The drivers themselves refuse a name their gateway would misread, before anything is sent (`rollout check`
/// reports the same names first), and a `command` gateway gets every value as one word.
@Suite(.serialized) struct GatewayNameTests {
    @Test func haproxyNamesWithSpacesOrSemicolonsNeverReachTheRuntimeAPI() async throws {
        let service = try DemoServiceProcess.start()
        defer { service.stop(timeout: .seconds(3)) }
        let haproxy = try HAProxyFixture(servers: [.init(name: "web1", port: service.port ?? 0)])
        defer { haproxy.stop() }
        let spec = try gatewaySpec("type: haproxy\nsocket: \(haproxy.socketPath)\nbackend: web\nserver: \"{{ lb }}\"")
        // `web1 state maint; ...` would be `set server web/web1 state maint` followed by more commands.
        let hostile = renderer(hosts: ["web1"], extra: ["lb": "web1 state maint;show info"])
        let error = #expect(throws: GatewayError.self) {
            try GatewayFactory.target(spec: spec, host: "web1", render: hostile)
        }
        #expect(error?.code == .invalidSettings)
        #expect(error?.message.contains("holds a space") == true)

        let good = renderer(hosts: ["web1"], extra: ["lb": "web1"])
        let gateway = try GatewayFactory.make(spec: spec, runner: LocalGatewayRunner(), render: good)
        // A target made without the factory (a caller that skipped the check) is refused by the driver too.
        let drained = await #expect(throws: GatewayError.self) {
            try await gateway.drain(GatewayTarget(host: "web1", server: "web1 state maint;show info"))
        }
        #expect(drained?.code == .invalidSettings)
        let badBackend = HAProxyGateway(
            socket: Template(literal: haproxy.socketPath, origin: ConfigOrigin(file: "t")), address: nil,
            backend: Template(literal: "web\nset server web/web1 state maint", origin: ConfigOrigin(file: "t")),
            transport: .direct, render: good)
        let backendError = await #expect(throws: GatewayError.self) {
            try await badBackend.drain(GatewayTarget(host: "web1", server: "web1"))
        }
        #expect(backendError?.message.contains("holds a newline") == true)
        let status = try await gateway.status(try GatewayFactory.target(spec: spec, host: "web1", render: good))
        #expect(status.state == .inRotation, "nothing was sent: \(status)")
    }

    @Test func aCommandGatewayGetsEachValueAsOneWord() async throws {
        let dir = try temporaryDirectory("gateway-quote")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try gatewaySpec(
            """
            type: command
            drain: "printf '%s' {{ pool }} > \(dir)/drained"
            restore: "true"
            """)
        let gateway = try GatewayFactory.make(
            spec: spec, runner: LocalGatewayRunner(),
            render: renderer(hosts: ["web1"], extra: ["pool": "web;touch \(dir)/pwned"]))
        _ = try await gateway.drain(GatewayTarget(host: "web1", server: "web1"))
        #expect(try String(contentsOfFile: "\(dir)/drained", encoding: .utf8) == "web;touch \(dir)/pwned")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/pwned"))
    }
}
