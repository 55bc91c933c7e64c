import Foundation
import RolloutConfig
import RolloutCore
import RolloutGateway
import RolloutTestSupport
import Synchronization
import Testing

/// `rollout plan` shows what the drivers really run: each driver is run against a runner that records every
/// command line and standard input, and the record must equal the plan's calls (`GatewayCommands`) in order.
@Suite(.serialized) struct GatewayPlanAgreementTests {
    /// Records what a driver runs, then hands it to `answer`.
    final class RecordingRunner: GatewayCommandRunner {
        typealias Answer = @Sendable (String, String?) async throws -> GatewayCommandResult
        private let calls = Mutex<[Call]>([])
        private let answer: Answer

        struct Call: Equatable, CustomStringConvertible {
            var line: String
            var stdin: String?
            var description: String { line + (stdin.map { " <<< \($0)" } ?? "") }
        }

        init(_ answer: @escaping Answer) { self.answer = answer }

        var recorded: [Call] { calls.withLock { $0 } }
        func reset() { calls.withLock { $0 = [] } }

        func run(_ command: String, stdin: [UInt8]?, timeout: Duration) async throws -> GatewayCommandResult {
            let input = stdin.map { String(decoding: $0, as: UTF8.self) }
            calls.withLock { $0.append(Call(line: command, stdin: input)) }
            return try await answer(command, input)
        }
    }

    /// The plan's command calls of `calls`; with `stdin: false` only the lines (the nginx file's new text is only
    /// known when it runs).
    func planned(_ calls: [GatewayCall], stdin: Bool = true) -> [RecordingRunner.Call] {
        calls.compactMap { $0.command }.map { RecordingRunner.Call(line: $0.line, stdin: stdin ? $0.stdin : nil) }
    }

    func lines(_ calls: [RecordingRunner.Call]) -> [RecordingRunner.Call] {
        calls.map { RecordingRunner.Call(line: $0.line, stdin: nil) }
    }

    /// Runs drain, restore and status of `spec`'s driver for `web1` and compares each with the plan.
    func compare(_ spec: GatewaySpec, _ runner: RecordingRunner, stdin: Bool = true) async throws {
        let render = renderer(hosts: ["web1"])
        let gateway = try GatewayFactory.make(spec: spec, runner: runner, render: render)
        let target = try GatewayFactory.target(spec: spec, host: "web1", render: render)
        let plan = GatewayCommands.make(spec) { (try? render($0, "web1")) ?? "?" }
        let operations: [(String, [GatewayCall], () async throws -> GatewayServerStatus)] = [
            ("drain", plan.drain, { try await gateway.drain(target) }),
            ("status", plan.status, { try await gateway.status(target) }),
            ("restore", plan.restore, { try await gateway.restore(target) }),
        ]
        for (name, calls, operation) in operations {
            runner.reset()
            _ = try await operation()
            let done = stdin ? runner.recorded : lines(runner.recorded)
            #expect(done == planned(calls, stdin: stdin), "\(spec.settings) \(name)")
            #expect(!done.isEmpty)
        }
    }

    @Test func haproxyOnAGatewayHostRunsThePlannedRelayWithThePlannedRequests() async throws {
        let service = try DemoServiceProcess.start()
        defer { service.stop(timeout: .seconds(3)) }
        let haproxy = try HAProxyFixture(servers: [.init(name: "web1", port: service.port ?? 0)])
        defer { haproxy.stop() }
        // The relay really runs (socat or python3 on this machine) and really reaches the admin socket.
        let local = LocalGatewayRunner()
        let runner = RecordingRunner { try await local.run($0, stdin: $1.map { Array($0.utf8) }, timeout: .seconds(10)) }
        let spec = try gatewaySpec("type: haproxy\non: lb1\nsocket: \(haproxy.socketPath)\nbackend: web")
        try await compare(spec, runner)
    }

    @Test func lvsRunsThePlannedIpvsadmLinesAgainstTheFakeIpvsadm() async throws {
        // FAKE ipvsadm: no IPVS in this kernel (see LVSGatewayTests).
        let fake = FakeIpvsadmRunner(weights: ["10.0.0.11:8080": 3], active: 0)
        let runner = RecordingRunner { try await fake.run($0, stdin: $1.map { Array($0.utf8) }, timeout: .seconds(5)) }
        let spec = try gatewaySpec(
            "type: lvs\non: director\nvirtual_service: \"tcp:10.0.0.1:80\"\nreal_server: \"{{ host.address }}:8080\"\n"
                + "weight: 3")
        try await compare(spec, runner)
    }

    @Test func nginxAndCommandRunThePlannedLines() async throws {
        let dir = try temporaryDirectory("plan-agreement")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("upstream web {\n    server 10.0.0.11:8080;\n}\n", "\(dir)/upstream.conf")
        // A shell stands in for nginx: the test and the reload succeed, the file edits are real.
        let local = LocalGatewayRunner(environment: ["PATH": "\(dir)/bin:/usr/bin:/bin"])
        try FileManager.default.createDirectory(atPath: "\(dir)/bin", withIntermediateDirectories: true)
        try write("#!/bin/sh\nexit 0\n", "\(dir)/bin/nginx")
        chmod("\(dir)/bin/nginx", 0o755)
        let runner = RecordingRunner { try await local.run($0, stdin: $1.map { Array($0.utf8) }, timeout: .seconds(10)) }
        let nginx = try gatewaySpec(
            "type: nginx\nupstream_file: \(dir)/upstream.conf\nserver: \"{{ host.address }}:8080\"\n"
                + "reload: \"nginx -s reload\"\nstatus: \"echo 0\"")
        try await compare(nginx, runner, stdin: false)

        try write("in_rotation\n", "\(dir)/web1.state")
        let command = try gatewaySpec(
            """
            type: command
            drain: "echo draining > \(dir)/{{ host.name }}.state"
            restore: "echo in_rotation > \(dir)/{{ host.name }}.state"
            status: "echo state=$(cat \(dir)/{{ host.name }}.state) connections=0"
            """)
        try await compare(command, runner)
    }
}
