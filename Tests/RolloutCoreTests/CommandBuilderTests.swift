import Foundation
import RolloutConfig
import RolloutText
import Testing

@testable import RolloutCore

@Suite struct CommandBuilderTests {
    @Test func shellQuotingRoundTripsThroughARealShell() throws {
        let tricky = ["plain", "two words", "it's", "$HOME", "a\"b", "", "semi;colon", "back\\slash", "new\nline", "*"]
        let script =
            "for a in " + tricky.map(ShellQuote.quote).joined(separator: " ") + "; do printf '%s\\0' \"$a\"; done"
        let output = try run("/bin/sh", ["-c", script])
        #expect(output.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init) == tricky)
        #expect(
            ShellQuote.join(["ln", "-sfn", "releases/1.0", "/srv/a b/.tmp"]) == "ln -sfn releases/1.0 '/srv/a b/.tmp'")
    }

    @Test func switchingIsARelativeSymlinkRenamedOverCurrent() throws {
        let release = ReleaseCommands(host: "h1", root: "/srv/web")
        #expect(
            release.switchTo("1.2.3").map(\.argv) == [
                ["ln", "-sfn", "releases/1.2.3", "/srv/web/.current.1.2.3.tmp"],
                ["mv", "-T", "/srv/web/.current.1.2.3.tmp", "/srv/web/current"],
            ])
        #expect(
            release.finishUpload("1.2.3").argv == [
                "mv", "-T", "/srv/web/releases/.1.2.3.upload", "/srv/web/releases/1.2.3",
            ])
        #expect(
            AgentCommands(host: "h1", agent: "rollout-agent", socket: "/srv/web/agent.sock").restart(
                timeout: .seconds(5)
            )
            .argv == ["rollout-agent", "ctl", "--socket", "/srv/web/agent.sock", "restart"])
        let cold = AgentCommands(host: "h1", agent: "rollout-agent", socket: "/srv/web/agent.sock").restart(
            timeout: .seconds(5), mode: .cold)
        #expect(cold.argv == ["rollout-agent", "ctl", "--socket", "/srv/web/agent.sock", "restart", "--cold"])
        #expect(RestartMode(argv: cold.argv) == .cold)
    }

    @Test func theSwitchCommandsReallySwitchAtomically() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-switch-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let release = ReleaseCommands(host: "local", root: root)
        for version in ["1", "2"] {
            try FileManager.default.createDirectory(atPath: release.release(version), withIntermediateDirectories: true)
            for command in release.switchTo(version) { _ = try run("/bin/sh", ["-c", command.line]) }
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: release.current) == "releases/\(version)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["current", "releases"])
    }

    @Test func pruningKeepsTheNewestAndNeverCurrentOrPrevious() {
        let listing = ["7", "6", ".8.upload", "5", "4", "3", "2", "1"]
        #expect(
            ReleasePruning.releasesToDelete(newestFirst: listing, keep: 3, current: "7", previous: "2") == [
                "4", "3", "1",
            ])
        #expect(ReleasePruning.releasesToDelete(newestFirst: listing, keep: 10, current: "7", previous: "6") == [])
    }

    @Test func haproxyAndLvsCommands() {
        let haproxy = GatewayCommands.haproxy(on: "lb1", endpoint: "/run/haproxy.sock", backend: "web", server: "w1")
        let drain = haproxy.drain.compactMap(\.command)
        #expect(drain.map(\.stdin) == ["set server web/w1 state drain\n", "show servers state web\n", "show stat\n"])
        #expect(drain.allSatisfy { $0.on == "lb1" && $0.argv == HAProxyRuntime.relay(endpoint: "/run/haproxy.sock") })
        #expect(drain[0].argv[0...1] == ["/bin/sh", "-c"])
        #expect(drain[0].argv[2].contains("exec socat - UNIX-CONNECT:/run/haproxy.sock"))
        #expect(haproxy.restore.first?.command?.stdin == "set server web/w1 state ready\n")
        // On the controller rollout talks to the socket itself: no command at all.
        let direct = GatewayCommands.haproxy(on: "controller", endpoint: "127.0.0.1:9999", backend: "b", server: "s")
        #expect(
            direct.status == [
                .socket(
                    endpoint: "127.0.0.1:9999", request: "show servers state b",
                    purpose: "state of b/s: srv_admin_state, srv_op_state"),
                .socket(endpoint: "127.0.0.1:9999", request: "show stat", purpose: "connections of b/s: scur"),
            ])
        let lvs = GatewayCommands.lvs(
            on: "lb", virtualService: "tcp:10.0.0.1:80", realServer: "10.0.1.5:8080", weight: 3)
        #expect(
            lvs.drain.compactMap(\.command).map(\.argv) == [
                ["ipvsadm", "-L", "-n", "-t", "10.0.0.1:80"],
                ["ipvsadm", "-e", "-t", "10.0.0.1:80", "-r", "10.0.1.5:8080", "-w", "0"],
                ["ipvsadm", "-L", "-n", "-t", "10.0.0.1:80"],
            ])
        #expect(lvs.restore.first?.command?.argv.last == "3")
        #expect(
            IPVSCommands(virtualService: "udp:[2001:db8::1]:53")?.list() == [
                "ipvsadm", "-L", "-n", "-u", "[2001:db8::1]:53",
            ])
        #expect(IPVSCommands(virtualService: "10.0.0.1:80") == nil)
    }

    @Test func nginxCommandsTestTheReloadedConfigurationAndReplaceTheFileAtomically() throws {
        #expect(NginxCommands.configTest(reload: "nginx -p /x -c /x/n.conf -s reload") == "nginx -p /x -c /x/n.conf -t")
        #expect(NginxCommands.configTest(reload: "systemctl reload nginx") == "nginx -t")
        // A rendered value with a space is one quoted word, and stays one in the test command.
        #expect(
            NginxCommands.configTest(reload: "nginx -c '/etc/my nginx/n.conf' -g \"pid /run/a b.pid;\" -s reload")
                == "nginx -c '/etc/my nginx/n.conf' -g \"pid /run/a b.pid;\" -t")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("upstream-\(UUID().uuidString).conf")
            .path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "server 10.0.0.1:8080;\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o640)
        _ = try run(
            "/bin/sh", ["-c", ShellQuote.join(NginxCommands.write(file))], stdin: "server 10.0.0.1:8080 down;\n")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "server 10.0.0.1:8080 down;\n")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o640, "the file keeps its mode")
        let directory = (file as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).allSatisfy { !$0.contains(".rollout.") })
    }

    private func run(_ executable: String, _ arguments: [String], stdin: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data((stdin ?? "").utf8))
        try input.fileHandleForWriting.close()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(arguments)")
        return String(decoding: data, as: UTF8.self)
    }
}

@Suite struct HostProbesTests {
    @Test("probes are argv (quoted when run), may fail, and change nothing")
    func probes() {
        let path = "/srv/web/releases/v 2; rm -rf /"
        let probes = [
            HostProbes.sha256(of: path, on: "h1"), HostProbes.exists(path, on: "h1"),
            HostProbes.isDirectory(path, on: "h1"), HostProbes.contents(of: path, on: "h1"),
        ]
        #expect(probes.map(\.argv.first) == ["sha256sum", "test", "test", "cat"])
        #expect(probes.allSatisfy { $0.mayFail && $0.on == "h1" && $0.argv.last == path })
        #expect(probes[0].line == "sha256sum -- '/srv/web/releases/v 2; rm -rf /'", "one quoted word")
        #expect(probes.allSatisfy { $0.line == ShellQuote.join($0.argv) && !$0.line.contains("2>") })
    }
}
