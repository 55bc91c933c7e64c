import Foundation
import RolloutModel
import RolloutStore
import RolloutTestSupport
import Testing

/// `rollout history`, `show` and `lock` run as built executables against a journal filled through the store.
@Suite(.serialized) struct HistoryCLITests {
    let directory: URL
    let state: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-cli-\(UUID().uuidString)")
        state = directory.appendingPathComponent(".rollout/state.db").path
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func rollout(_ arguments: [String], environment: [String: String]? = nil) throws -> CommandOutput {
        try runCommand(
            try BuiltProducts.executable("rollout"), arguments, environment: environment,
            currentDirectory: directory.path, timeout: .seconds(60))
    }

    func json(_ output: CommandOutput) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    }

    /// Two rollouts of `web` (the second partial, with a failed verify) and one of `api`.
    func fill() async throws -> (first: Int64, second: Int64, api: Int64) {
        let store = try JournalStore(path: state)
        let who = ControllerIdentity(user: "carol", host: "ci-7", pid: 77, ciJob: "gitlab:555")
        let base = Date(timeIntervalSince1970: 1_795_000_000)
        func begin(_ inventory: String, _ version: String, _ previous: String?, _ offset: Double) async throws -> Int64
        {
            try await store.beginRollout(
                RolloutStart(
                    inventory: inventory, playbook: "site", version: version, previousVersion: previous,
                    startedBy: who, startedAt: base.addingTimeInterval(offset)))
        }
        let first = try await begin("web", "1.0", nil, 0)
        try await store.addHosts([HostEntry(name: "web-1", position: 0, batch: 0, toVersion: "1.0")], to: first)
        let p = try await store.beginPhase(.switch, host: "web-1", in: first, at: base)
        try await store.finishPhase(p, outcome: .ok, at: base.addingTimeInterval(2))
        try await store.setHostStatus(.succeeded, host: "web-1", in: first)
        try await store.finishRollout(first, status: .succeeded, exitCode: 0, at: base.addingTimeInterval(3))

        let second = try await begin("web", "1.1", "1.0", 100)
        try await store.addHosts(
            [
                HostEntry(name: "web-1", position: 0, batch: 0, fromVersion: "1.0", toVersion: "1.1"),
                HostEntry(name: "web-2", position: 1, batch: 1, fromVersion: "1.0", toVersion: "1.1"),
            ], to: second)
        let ok = try await store.beginPhase(.verify, host: "web-1", in: second, at: base.addingTimeInterval(100))
        try await store.finishPhase(ok, outcome: .ok, at: base.addingTimeInterval(101.5))
        let bad = try await store.beginPhase(.verify, host: "web-2", in: second, at: base.addingTimeInterval(102))
        try await store.finishPhase(
            bad, outcome: .failed, error: "HTTP 503 from /health", at: base.addingTimeInterval(110))
        try await store.setHostStatus(.succeeded, host: "web-1", in: second)
        try await store.setHostStatus(.failed, host: "web-2", in: second, error: "verify failed: HTTP 503 from /health")
        try await store.finishRollout(
            second, status: .partial, exitCode: 4, error: "1 of 2 hosts failed", at: base.addingTimeInterval(111))

        let api = try await begin("api", "7", nil, 50)
        return (first, second, api)
    }

    @Test func historyListsNewestFirstInTextAndJSON() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let ids = try await fill()
        // No --state: the default is .rollout/state.db in the current directory.
        let text = try rollout(["history"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("ID") && lines[0].contains("HOSTS OK/FAILED"))
        #expect(lines[1].hasPrefix("\(ids.second) ") && lines[1].contains("partial") && lines[1].contains("1/1 of 2"))
        #expect(lines[1].contains("2026-11-18 11:08:20Z") && lines[1].contains("11.0s"))
        #expect(lines[2].hasPrefix("\(ids.api) ") && lines[2].contains("running"))
        #expect(lines[3].hasPrefix("\(ids.first) ") && lines[3].contains("succeeded") && lines[3].contains("3.0s"))

        let filtered = try rollout(["history", "--inventory", "web", "--limit", "1", "--output", "json"])
        #expect(filtered.status == 0, "\(filtered.stderr)")
        let rollouts = try #require(try json(filtered)["rollouts"] as? [[String: Any]])
        #expect(rollouts.count == 1)
        let row = rollouts[0]
        #expect(row["id"] as? Int == Int(ids.second))
        #expect(row["version"] as? String == "1.1" && row["previous_version"] as? String == "1.0")
        #expect(row["status"] as? String == "partial" && row["exit_code"] as? Int == 4)
        #expect(row["started_at"] as? String == "2026-11-18T11:08:20.000Z")
        #expect(row["finished_at"] as? String == "2026-11-18T11:08:31.000Z")
        #expect(row["duration_ms"] as? Int == 11_000)
        let counts = try #require(row["host_counts"] as? [String: Int])
        #expect(counts["ok"] == 1 && counts["failed"] == 1 && counts["total"] == 2)
        #expect((row["started_by"] as? [String: Any])?["ci_job"] as? String == "gitlab:555")
        // Sorted keys: the document is stable byte for byte.
        #expect(filtered.stdout.range(of: "\"ci_job\"")!.lowerBound < filtered.stdout.range(of: "\"host\"")!.lowerBound)
    }

    @Test func showPrintsHostsAndPhasesAndRejectsUnknownIds() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let ids = try await fill()
        let text = try rollout(["show", String(ids.second), "--state", state])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Rollout \(ids.second): web 1.0 -> 1.1"))
        #expect(text.stdout.contains("Error:    1 of 2 hosts failed"))
        let web2 = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix("web-2") })
        #expect(web2.contains("failed") && web2.contains("verify failed: HTTP 503 from /health"))
        let verify = try #require(text.stdout.split(separator: "\n").last { $0.hasPrefix("  verify") })
        #expect(verify.contains("8.0s") && verify.contains("HTTP 503 from /health"))

        let output = try rollout(["show", String(ids.second), "--output", "json"])
        #expect(output.status == 0, "\(output.stderr)")
        let document = try json(output)
        #expect(document["id"] as? Int == Int(ids.second) && document["inventory"] as? String == "web")
        #expect(document["playbook"] as? String == "site" && document["status"] as? String == "partial")
        let hosts = try #require(document["hosts"] as? [[String: Any]])
        #expect(hosts.map { $0["name"] as? String } == ["web-1", "web-2"])
        #expect(hosts.map { $0["status"] as? String } == ["succeeded", "failed"])
        #expect(hosts[1]["from_version"] as? String == "1.0" && hosts[1]["to_version"] as? String == "1.1")
        let phases = try #require(hosts[1]["phases"] as? [[String: Any]])
        #expect(phases.count == 1)
        #expect(phases[0]["name"] as? String == "verify" && phases[0]["status"] as? String == "failed")
        #expect(phases[0]["started_at"] as? String == "2026-11-18T11:08:22.000Z")
        #expect(phases[0]["finished_at"] as? String == "2026-11-18T11:08:30.000Z")
        #expect(phases[0]["duration_ms"] as? Int == 8000)

        let missing = try rollout(["show", "999"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("rollout 999 is not in the journal"))
        #expect(missing.stdout.isEmpty)
    }

    @Test func aMissingJournalIsAnEmptyHistoryAndIsNotCreated() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try rollout(["history"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("No rollouts recorded"))
        let document = try rollout(["history", "--output", "json"])
        #expect(document.status == 0)
        let rollouts = try json(document)["rollouts"] as? [Any]
        #expect(rollouts?.isEmpty == true)
        #expect(try rollout(["show", "1"]).status == 2)
        #expect(!FileManager.default.fileExists(atPath: state))
    }

    @Test func aStateFileThatIsNotAJournalExitsTwo() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("web.yml").path
        try Data(String(repeating: "hosts: [web-1, web-2]\n", count: 100).utf8).write(to: URL(fileURLWithPath: path))
        let output = try rollout(["history", "--state", path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("not a SQLite database"))
    }

    @Test func invalidArgumentsExitTwo() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        for arguments in [
            ["history", "--limit", "0"], ["history", "--output", "yaml"], ["show", "0"], ["show", "x"],
            ["lock", "release", "--inventory", "web"],
        ] {
            let output = try rollout(arguments)
            #expect(output.status == 2, "\(arguments): \(output.status) \(output.stderr)")
            #expect(!output.stderr.isEmpty)
        }
    }

    @Test func lockStatusAndForcedReleaseRecordWhoReleased() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try JournalStore(path: state)
        let holder = LockOwner(identity: ControllerIdentity(user: "dave", host: "far-away", pid: 31337, ciJob: nil))
        _ = try await store.acquireLock(inventory: "web", owner: holder, lease: .seconds(3600))

        let status = try rollout(["lock", "status", "--output", "json"])
        #expect(status.status == 0, "\(status.stderr)")
        let locks = try #require(try json(status)["locks"] as? [[String: Any]])
        #expect(locks.count == 1 && locks[0]["inventory"] as? String == "web" && locks[0]["state"] as? String == "held")
        #expect((locks[0]["owner"] as? [String: Any])?["user"] as? String == "dave")
        #expect(locks[0]["token"] == nil)
        let text = try rollout(["lock", "status"])
        #expect(text.stdout.contains("dave@far-away pid 31337") && text.stdout.contains("held"))

        // The states the next deploy would take over: an expired lease, and a gone process on this host.
        let stale = LockOwner(identity: ControllerIdentity(user: "erin", host: "far-away", pid: 1, ciJob: nil))
        _ = try await store.acquireLock(
            inventory: "api", owner: stale, lease: .seconds(1), now: Date().addingTimeInterval(-60))
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let gone = LockOwner(
            identity: ControllerIdentity(
                user: "frank", host: ControllerIdentity.currentHostName(), pid: finished.processIdentifier))
        _ = try await store.acquireLock(inventory: "db", owner: gone, lease: .seconds(3600))
        let states = try #require(
            try json(try rollout(["lock", "status", "--output", "json"]))["locks"] as? [[String: Any]])
        #expect(states.map { $0["inventory"] as? String } == ["api", "db", "web"])
        #expect(states.map { $0["state"] as? String } == ["expired", "owner_gone", "held"])
        let one = try rollout(["lock", "status", "--inventory", "db"])
        #expect(one.stdout.contains("owner_gone") && !one.stdout.contains("dave"))

        var environment = ProcessInfo.processInfo.environment
        environment["GITHUB_ACTIONS"] = "true"
        environment["GITHUB_RUN_ID"] = "4711"
        environment["GITHUB_RUN_ATTEMPT"] = "2"
        environment["GITHUB_JOB"] = "deploy"
        let release = try rollout(["lock", "release", "--inventory", "web", "--force"], environment: environment)
        #expect(release.status == 0, "\(release.stderr)")
        #expect(release.stdout.contains("dave@far-away"))
        #expect(try await store.lockStatus().map(\.inventory) == ["api", "db"])
        let event = try #require(try await store.events(inventory: "web", kind: .lockForceRelease).first)
        #expect(event.detail?["released_by"]?["ci_job"] == .string("github:4711/2/deploy"))
        #expect(event.detail?["previous"]?["user"] == .string("dave"))

        let again = try rollout(["lock", "release", "--inventory", "web", "--force"])
        #expect(again.status == 0 && again.stdout.contains("nothing to release"))
    }
}
