import Foundation
import RolloutConfig
import RolloutGateway
import RolloutTestSupport
import Testing

@Suite struct NginxUpstreamFileTests {
    let file = """
        upstream web {
            least_conn;
            server 10.0.0.11:8080 weight=3 max_fails=2;   # web1, rack A
            server 10.0.0.12:8080;
            # server 10.0.0.11:8080 backup;
            server 10.0.0.110:8080 down;
        }
        """

    @Test func markingDownKeepsEveryOtherParameterCommentAndLine() {
        let down = NginxUpstreamFile.mark(file, server: "10.0.0.11:8080", down: true)
        #expect(down.matches == 1)
        #expect(down.changed)
        #expect(
            down.text
                == file.replacingOccurrences(
                    of: "server 10.0.0.11:8080 weight=3 max_fails=2;", with: "server 10.0.0.11:8080 weight=3 max_fails=2 down;"))
        #expect(NginxUpstreamFile.isDown(down.text, server: "10.0.0.11:8080") == true)
        #expect(NginxUpstreamFile.isDown(down.text, server: "10.0.0.12:8080") == false)
        // Idempotent, and unmarking gives back the original byte for byte.
        let again = NginxUpstreamFile.mark(down.text, server: "10.0.0.11:8080", down: true)
        #expect(!again.changed)
        #expect(NginxUpstreamFile.mark(down.text, server: "10.0.0.11:8080", down: false).text == file)
        // `10.0.0.110:8080` is another server, not a prefix match.
        #expect(NginxUpstreamFile.isDown(file, server: "10.0.0.110:8080") == true)
        #expect(NginxUpstreamFile.mark(file, server: "10.0.0.1:8080", down: true).matches == 0)
        #expect(NginxUpstreamFile.isDown(file, server: "10.0.0.99:8080") == nil)
    }
}

/// The nginx driver against a real nginx (Debian's) on 127.0.0.1 in front of two demo services.
@Suite(.serialized) struct NginxGatewayTests {
    final class Setup {
        let dir: String
        let services: [DemoServiceProcess]
        let nginx: FixtureProcess
        let port: Int
        let spec: GatewaySpec
        let gateway: any TrafficGateway
        let render: GatewayTemplateRenderer

        init(reload: String? = nil) throws {
            dir = try temporaryDirectory("nginx-gw")
            services = try (0..<2).map { _ in try DemoServiceProcess.start() }
            let ports = services.map { "\($0.port!)" }
            let render: GatewayTemplateRenderer = { template, host in
                try renderer(hosts: ["web1", "web2"], extra: ["port": host == "web1" ? ports[0] : ports[1]])(
                    template, host)
            }
            self.render = render
            port = try LocalPorts.free()
            let upstream = """
                upstream web {
                    server 127.0.0.1:\(services[0].port!) max_fails=0;  # web1
                    server 127.0.0.1:\(services[1].port!) max_fails=0;
                }

                """
            try write(upstream, "\(dir)/upstream.conf")
            try write(
                """
                daemon off;
                pid \(dir)/nginx.pid;
                error_log \(dir)/error.log;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path \(dir)/body;
                    proxy_temp_path \(dir)/proxy;
                    include \(dir)/upstream.conf;
                    server {
                        listen 127.0.0.1:\(port);
                        location / { proxy_pass http://web; }
                    }
                }

                """, "\(dir)/nginx.conf")
            let binary = try BuiltProducts.tool("nginx")
            nginx = try FixtureProcess(
                executable: binary, arguments: ["-p", dir, "-c", "\(dir)/nginx.conf"],
                environment: ["PATH": "/usr/sbin:/usr/bin:/bin"])
            let reloadCommand = reload ?? "\(binary) -p \(dir) -c \(dir)/nginx.conf -s reload"
            spec = try gatewaySpec(
                """
                type: nginx
                upstream_file: \(dir)/upstream.conf
                server: "127.0.0.1:{{ port }}"
                reload: "\(reloadCommand)"
                status: "echo 0"
                """)
            gateway = try GatewayFactory.make(spec: spec, runner: LocalGatewayRunner(), render: render)
            try waitUntil("nginx serves") { (try? HTTPTestClient.get(.loopback(host: "127.0.0.1", port: port), "/"))?.status == 200 }
        }

        func target(_ host: String) throws -> GatewayTarget {
            try GatewayFactory.target(spec: spec, host: host, render: render)
        }

        func pids(_ count: Int) throws -> Set<String> {
            Set(
                try (0..<count).map { _ in
                    try HTTPTestClient.get(.loopback(host: "127.0.0.1", port: port), "/").headers["x-pid"] ?? "?"
                })
        }

        deinit {
            nginx.stop(timeout: .seconds(5))
            for service in services { service.stop(timeout: .seconds(3)) }
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test func drainMarksTheServerDownTestsReloadsAndTrafficLeavesItThenRestoreBringsItBack() async throws {
        let setup = try Setup()
        let web1 = try setup.target("web1"), pid1 = "\(setup.services[0].pid)", pid2 = "\(setup.services[1].pid)"
        #expect(try await setup.gateway.status(web1).state == .inRotation)
        #expect(try setup.pids(4) == [pid1, pid2])

        let drained = try await setup.gateway.drain(web1)
        #expect(drained.state == .out)
        #expect(drained.connections == 0)
        let text = try read("\(setup.dir)/upstream.conf")
        #expect(text.contains("server 127.0.0.1:\(setup.services[0].port!) max_fails=0 down;  # web1"))
        try waitUntil("nginx stops sending to web1") { try setup.pids(6) == [pid2] }
        #expect(try await setup.gateway.drain(web1).state == .out)  // idempotent

        let restored = try await setup.gateway.restore(web1)
        #expect(restored.state == .inRotation)
        #expect(!(try read("\(setup.dir)/upstream.conf").contains("down")))
        try waitUntil("nginx sends to web1 again") { try setup.pids(6).contains(pid1) }
    }

    @Test func aFailingReloadPutsThePreviousFileBack() async throws {
        let setup = try Setup(reload: "echo reload refused >&2; exit 1")
        let before = try read("\(setup.dir)/upstream.conf")
        let error = await #expect(throws: GatewayError.self) { try await setup.gateway.drain(try setup.target("web1")) }
        #expect(error?.code == .rejected)
        #expect(error?.message.contains("reload refused") == true)
        #expect(try read("\(setup.dir)/upstream.conf") == before)
    }

    @Test func theConfigurationTestUsesTheReloadCommandsFlagsAndRunsTheRealNginx() async throws {
        let setup = try Setup()
        let nginx = try #require(setup.gateway as? NginxGateway)
        let binary = try BuiltProducts.tool("nginx")
        #expect(try nginx.configTest(for: "web1") == "\(binary) -p \(setup.dir) -c \(setup.dir)/nginx.conf -t")
        // A broken upstream file: the real `nginx -t` rejects it and the driver leaves the file as it was.
        let broken = try read("\(setup.dir)/upstream.conf").replacingOccurrences(of: "max_fails=0", with: "max_fails=x")
        try write(broken, "\(setup.dir)/upstream.conf")
        let error = await #expect(throws: GatewayError.self) { try await setup.gateway.drain(try setup.target("web1")) }
        #expect(error?.code == .rejected)
        #expect(error?.message.contains("-t") == true)
        #expect(try read("\(setup.dir)/upstream.conf") == broken)
    }

    @Test func aServerMissingFromTheFileIsAClearError() async throws {
        let setup = try Setup()
        let error = await #expect(throws: GatewayError.self) {
            try await setup.gateway.status(GatewayTarget(host: "web1", server: "127.0.0.1:1"))
        }
        #expect(error?.code == .unknownServer)
        #expect(error?.message.contains("server 127.0.0.1:1") == true)
    }
}

/// Polls `condition` every 50 ms for up to 10 s.
func waitUntil(_ what: String, _ condition: () throws -> Bool) throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while ContinuousClock.now < deadline {
        if (try? condition()) == true { return }
        Thread.sleep(forTimeInterval: 0.05)
    }
    throw TestSupportError("timed out waiting until \(what)")
}
