import Foundation
import RolloutTestSupport
import Testing

/// Two CI runners (two project directories, checked out in different places) rolling one fleet of real sshd hosts
/// with one PostgreSQL journal: one lock, one history, and a resume across runners.
@Suite("rollout deploy: two runners, one PostgreSQL journal", .serialized)
struct DeployPostgresTests {
    /// Concurrent deploys from two directories: one runs, the other exits 5 naming it; the second runner resumes the
    /// first's SIGKILLed rollout; history is the same from both.
    @Test("two runners: one lock, resume across runners, one history")
    func twoRunnersShareLockHistoryAndResume() throws {
        let gated = try GatedDrainFixture(hosts: 2)
        defer { gated.stop() }
        let fixture = gated.deploy
        #expect(try fixture.installAgents().status == 0)
        let server = try PostgresServer.shared()
        let url = server.url(database: try server.makeDatabase(prefix: "runners"))
        var environment = ProcessInfo.processInfo.environment
        environment["ROLLOUT_STATE"] = url
        environment["PGPASSWORD"] = server.password
        // The second runner's checkout of the same project, elsewhere.
        let second = fixture.cluster.directory + "/checkout-b"
        try FileManager.default.copyItem(atPath: fixture.project, toPath: second)
        func rollout(_ directory: String, _ arguments: [String]) throws -> CommandOutput {
            try runCommand(
                BuiltProducts.executable("rollout"), arguments, environment: environment, currentDirectory: directory,
                timeout: .seconds(180))
        }
        let deploy = ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v1"]

        // Runner A holds h1's drain; runner B's deploy of the same fleet is refused at once.
        try gated.setConnections("h1", 1)
        let first = try DeployBackground(fixture, deploy, environment: environment)
        defer { first.kill() }
        #expect(first.waitForPhase("drain", host: "h1"), "\(first.stderr)")
        let refused = try rollout(second, deploy)
        #expect(refused.status == 5, "\(refused.stdout)\(refused.stderr)")
        #expect(
            refused.stderr.contains("pid \(first.process.processIdentifier)"), "names the holder: \(refused.stderr)")
        let lock = try json(try rollout(second, ["lock", "status", "--inventory", "lab", "--output", "json"]))
        let keys = (lock["locks"] as? [[String: Any]] ?? []).compactMap { $0["inventory"] as? String }
        #expect(keys == ["inventories/lab.yml"], "one key for both checkouts: \(keys)")

        // Runner A dies mid-rollout (h1 drained); runner B resumes it: lock taken over, h1 restored, v1 everywhere.
        first.kill()
        _ = first.wait()
        try gated.setConnections("h1", 0)
        let resumed = try rollout(second, ["resume"])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.servedVersions())")
        #expect(gated.everyHostInRotation, "\(gated.gatewayLog)")

        let histories = try [fixture.project, second].map { directory in
            let output = try rollout(directory, ["history", "--inventory", "lab", "--output", "json"])
            #expect(output.status == 0, "\(output.stderr)")
            return output.stdout
        }
        #expect(histories[0] == histories[1])
        let rollouts =
            try #require(
                try JSONSerialization.jsonObject(with: Data(histories[0].utf8)) as? [String: Any])["rollouts"]
            as? [[String: Any]]
        #expect(rollouts?.map { $0["status"] as? String } == ["succeeded"], "\(histories[0])")
        // The dead runner's lock was taken over, and the takeover journaled, in the shared database.
        let database = String(url.split(separator: "/").last!)
        #expect(
            try server.sql("SELECT count(*) FROM event WHERE kind = 'lock.takeover'", database: database) == "1\n")
        #expect(try server.sql("SELECT count(*) FROM inventory_lock", database: database) == "0\n", "released")
    }

    /// PostgreSQL killed while a host is drained and started again 4 s later: the controller's writes wait and
    /// retry, no new step starts meanwhile, and the rollout then finishes: exit 0, every phase closed, nothing
    /// drained. A server of its own, as the shared one serves other tests.
    @Test(
        "PostgreSQL restarted during a rollout: the controller waits for it and finishes; nothing lost, nothing drained"
    )
    func journalServerRestartedMidRollout() throws {
        let gated = try GatedDrainFixture(hosts: 2)
        defer { gated.stop() }
        let fixture = gated.deploy
        #expect(try fixture.installAgents().status == 0)
        let server = try PostgresServer()
        let database = try server.makeDatabase(prefix: "restart")
        var environment = ProcessInfo.processInfo.environment
        environment["ROLLOUT_STATE"] = server.url(database: database)
        environment["PGPASSWORD"] = server.password
        try gated.setConnections("h1", 1)
        let run = try DeployBackground(
            fixture, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", "v1"],
            environment: environment)
        defer { run.kill() }
        #expect(run.waitForPhase("drain", host: "h1"), "\(run.stderr)")
        server.kill()
        // The drain wait ends while the journal is down: the step's close and the next step's begin must wait.
        try gated.setConnections("h1", 0)
        Thread.sleep(forTimeInterval: 4)
        let startedWhileDown = run.allEvents.filter { $0["event"] as? String == "phase_started" }.count
        #expect(run.process.isRunning, "still waiting for the journal: \(run.stderr)")
        try server.start()
        #expect(run.wait() == 0, "\(run.stderr)")
        let afterRestart = run.allEvents.filter { $0["event"] as? String == "phase_started" }.count
        #expect(afterRestart > startedWhileDown, "the rollout went on once the journal was back")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" }, "\(fixture.servedVersions())")
        #expect(gated.everyHostInRotation, "\(gated.gatewayLog)")
        let show = try runCommand(
            BuiltProducts.executable("rollout"), ["show", "1", "--output", "json"], environment: environment,
            currentDirectory: fixture.project)
        let report = try json(show)
        #expect(report["status"] as? String == "succeeded", "\(show.stdout.prefix(2000))")
        for (name, host) in try hostsByName(report) {
            let phases = host["phases"] as? [[String: Any]] ?? []
            #expect(!phases.isEmpty && phases.allSatisfy { $0["status"] as? String == "ok" }, "\(name): \(phases)")
        }
        #expect(try server.sql("SELECT count(*) FROM phase WHERE status = 'running'", database: database) == "0\n")
    }
}
