import Foundation
import RolloutConfig
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
        let haproxy = GatewayCommands.haproxy(
            on: "lb1", socket: "/run/haproxy.sock", address: nil, backend: "web", server: "w1")
        #expect(haproxy.drain.argv == ["socat", "stdio", "UNIX-CONNECT:/run/haproxy.sock"])
        #expect(haproxy.drain.stdin == "set server web/w1 state drain\n")
        #expect(haproxy.restore.stdin == "set server web/w1 state ready\n")
        #expect(haproxy.drain.on == "lb1")
        let tcp = GatewayCommands.haproxy(
            on: "controller", socket: nil, address: "127.0.0.1:9999", backend: "b", server: "s")
        #expect(tcp.status?.argv == ["socat", "stdio", "TCP:127.0.0.1:9999"])
        let lvs = GatewayCommands.lvs(
            on: "lb", virtualService: "tcp:10.0.0.1:80", realServer: "10.0.1.5:8080", weight: 3)
        #expect(lvs.drain.argv == ["ipvsadm", "-e", "-t", "10.0.0.1:80", "-r", "10.0.1.5:8080", "-w", "0"])
        #expect(lvs.restore.argv.last == "3")
    }

    @Test func nginxDrainAndRestoreEditTheUpstreamFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("upstream-\(UUID().uuidString).conf")
            .path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let original = """
            upstream web {
                server 10.0.0.1:8080 max_fails=3;
                server 10.0.0.10:8080;
                server 10.0.0.2:8080;
            }

            """
        try original.write(toFile: file, atomically: true, encoding: .utf8)
        let gateway = GatewayCommands.nginx(
            on: "controller", upstreamFile: file, server: "10.0.0.1:8080", reload: "true", status: nil)
        _ = try run("/bin/sh", ["-c", gateway.drain.argv[2]])
        _ = try run("/bin/sh", ["-c", gateway.drain.argv[2]])  // draining twice marks once
        let drained = try String(contentsOfFile: file, encoding: .utf8)
        #expect(drained.contains("server 10.0.0.1:8080 max_fails=3 down;"))
        #expect(drained.contains("server 10.0.0.10:8080;"), "a server whose address merely starts alike is untouched")
        #expect(!drained.contains("down down"))
        _ = try run("/bin/sh", ["-c", gateway.restore.argv[2]])
        #expect(try String(contentsOfFile: file, encoding: .utf8) == original)
    }

    @Test func connectionCountsAreReadFromEachGatewaysOutput() {
        let stat = """
            # pxname,svname,qcur,qmax,scur,smax,slim
            web,FRONTEND,,,12,40,2000
            web_servers,w1,0,0,3,9,
            web_servers,w10,0,0,7,9,
            web_servers,BACKEND,0,0,10,18,200

            """
        #expect(ConnectionCount.haproxyStat(backend: "web_servers", server: "w1").read(stat) == 3)
        #expect(ConnectionCount.haproxyStat(backend: "web_servers", server: "w10").read(stat) == 7)
        #expect(ConnectionCount.haproxyStat(backend: "web_servers", server: "w2").read(stat) == nil)
        let ipvs = """
            IP Virtual Server version 1.2.1 (size=4096)
            Prot LocalAddress:Port Scheduler Flags
              -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
            TCP  10.0.0.1:80 wlc
              -> 10.0.1.5:8080                Route   0      4          17
              -> 10.0.1.6:8080                Route   1      9          2

            """
        #expect(ConnectionCount.ipvsadm(realServer: "10.0.1.5:8080").read(ipvs) == 4)
        #expect(ConnectionCount.ipvsadm(realServer: "10.0.1.7:8080").read(ipvs) == nil)
        #expect(ConnectionCount.number.read(" 5\n") == 5)
        #expect(ConnectionCount.number.read("five") == nil)
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(arguments)")
        return String(decoding: data, as: UTF8.self)
    }
}
