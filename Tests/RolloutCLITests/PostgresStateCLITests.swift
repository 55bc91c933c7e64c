import Foundation
import RolloutTestSupport
import Testing

/// `--state postgres://...` and `ROLLOUT_STATE` through the real CLI: two project directories (two CI runners) on
/// one PostgreSQL database share history, `show` and the lock; an unreachable server and a mistyped scheme get
/// their exit codes.
@Suite(.serialized) struct PostgresStateCLITests {
    let server: PostgresServer
    let database: String
    let runners: [String]

    init() throws {
        server = try PostgresServer.shared()
        database = try server.makeDatabase(prefix: "cli")
        runners = try (0..<2).map { index in
            let project = FileManager.default.temporaryDirectory.appendingPathComponent(
                "rollout-pgcli-\(index)-\(UUID().uuidString.prefix(8))"
            ).path
            for directory in ["playbooks", "inventories", "artifact"] {
                try FileManager.default.createDirectory(
                    atPath: "\(project)/\(directory)", withIntermediateDirectories: true)
            }
            try "release bytes\n".write(toFile: "\(project)/artifact/app", atomically: true, encoding: .utf8)
            try """
            service: {name: web, root: "{{ root }}/web", agent: /opt/rollout-agent}
            artifact: {path: artifact/app}
            hosts: all
            strategy: hot
            window: 20
            health:
              - {type: http, url: "http://{{ host.address }}:8080/health", interval: 100ms, timeout: 1s, deadline: 2s}

            """.write(toFile: "\(project)/playbooks/sim.yml", atomically: true, encoding: .utf8)
            return project
        }
    }

    var url: String { server.url(database: database) }

    /// `rollout ARGS` in runner `index`'s directory, with the password (and `ROLLOUT_STATE` unless `state` is nil)
    /// in its environment, as a CI job gets them from its secrets.
    func rollout(_ index: Int, _ arguments: [String], state: String? = nil, password: String? = nil) throws
        -> CommandOutput
    {
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = password ?? server.password
        environment["ROLLOUT_STATE"] = state ?? url
        return try runCommand(
            BuiltProducts.executable("rollout"), arguments, environment: environment, currentDirectory: runners[index],
            timeout: .seconds(300))
    }

    @Test("a rollout journaled by one runner: history and show from the other, byte-identical, no local file")
    func twoRunnersShareTheJournal() throws {
        let deploy = try rollout(
            0,
            [
                "deploy", "--simulate", "hosts=40,latency=0ms..2ms,failure-rate=0%,seed=3", "--inventory", "sim",
                "--playbook", "sim", "--version", "v2",
            ])
        #expect(deploy.status == 0, "\(deploy.stdout.suffix(2000))\n\(deploy.stderr)")
        #expect(!FileManager.default.fileExists(atPath: runners[0] + "/.rollout/state.db"), "no SQLite journal")
        let history = try rollout(1, ["history", "--output", "json"])
        #expect(history.status == 0, "\(history.stderr)")
        let rollouts = try json(history)["rollouts"] as? [[String: Any]] ?? []
        #expect(rollouts.count == 1)
        #expect(rollouts.first?["version"] as? String == "v2" && rollouts.first?["status"] as? String == "succeeded")
        let id = String(rollouts.first?["id"] as? Int ?? 0)
        let fromFirst = try rollout(0, ["show", id, "--output", "json"])
        let fromSecond = try rollout(1, ["show", id, "--output", "json", "--state", url])
        #expect(fromFirst.status == 0 && fromSecond.status == 0, "\(fromFirst.stderr)\(fromSecond.stderr)")
        #expect(fromFirst.stdout == fromSecond.stdout)
        #expect(try hostsByName(json(fromSecond)).count == 40)
    }

    @Test("lock status and lock release --force work on the PostgreSQL lease")
    func lockStatusAndForcedReleaseOnPostgres() throws {
        // A holder on another machine, as a CI runner that died mid-rollout leaves it.
        let key = (runners[1] as NSString).resolvingSymlinksInPath + "/inventories/sim.yml"
        try "hosts: {}\n".write(toFile: runners[1] + "/inventories/sim.yml", atomically: true, encoding: .utf8)
        let migrate = try rollout(1, ["history"])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        try server.sql(
            """
            INSERT INTO inventory_lock (inventory, owner_user, owner_host, owner_pid, owner_ci_job, owner_token,
                                        acquired_at, heartbeat_at, expires_at)
            VALUES ('\(key)', 'ci', 'runner-7', 4242, 'gitlab:991', 'token', '2026-01-01T00:00:00.000Z',
                    '2026-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z')
            """, database: database)
        let status = try rollout(1, ["lock", "status", "--inventory", "sim", "--output", "json"])
        #expect(status.status == 0, "\(status.stderr)")
        let locks = try json(status)["locks"] as? [[String: Any]] ?? []
        #expect(locks.count == 1)
        #expect((locks.first?["owner"] as? [String: Any])?["host"] as? String == "runner-7")
        #expect(locks.first?["state"] as? String == "held")
        let release = try rollout(1, ["lock", "release", "--inventory", "sim", "--force"])
        #expect(release.status == 0, "\(release.stdout)\(release.stderr)")
        #expect(try server.sql("SELECT count(*) FROM inventory_lock", database: database) == "0\n")
        #expect(
            try server.sql("SELECT count(*) FROM event WHERE kind = 'lock.force_release'", database: database) == "1\n")
    }

    @Test("an unreachable server exits 8 naming it, a wrong password too, never printing it; a typo exits 2")
    func unreachableAndMistypedState() throws {
        let port = try LocalPorts.free()
        let down = try rollout(0, ["history"], state: "postgres://ci@127.0.0.1:\(port)/journal")
        #expect(down.status == 8, "\(down.stdout)\(down.stderr)")
        #expect(down.stderr.contains("postgres://ci@127.0.0.1:\(port)/journal"))
        let wrong = try rollout(0, ["history"], password: "wrong-password-77")
        #expect(wrong.status == 8, "\(wrong.stdout)\(wrong.stderr)")
        #expect(wrong.stderr.contains("password authentication failed"))
        #expect(!wrong.stderr.contains("wrong-password-77"))
        let deploy = try rollout(
            0,
            [
                "deploy", "--simulate", "hosts=5", "--inventory", "sim", "--playbook", "sim", "--version", "v9",
            ], state: "postgres://ci@127.0.0.1:\(port)/journal")
        #expect(deploy.status == 8, "\(deploy.stdout)\(deploy.stderr)")
        let typo = try rollout(0, ["history"], state: "postgress://ci@db/journal")
        #expect(typo.status == 2, "\(typo.stdout)\(typo.stderr)")
        #expect(typo.stderr.contains("unknown scheme"))
    }

    @Test(
        "state migrate: a 1,000-host SQLite journal to PostgreSQL and back, show identical, idempotent, conflicts refused"
    )
    func migrateBothWaysIdempotently() throws {
        let deploy = try rollout(
            0,
            [
                "deploy", "--simulate", "hosts=1000,latency=0ms..1ms,failure-rate=0%,seed=5", "--inventory", "sim",
                "--playbook", "sim", "--version", "v2", "--state", ".rollout/state.db",
            ])
        #expect(deploy.status == 0, "\(deploy.stdout.suffix(2000))\n\(deploy.stderr)")
        let before = try rollout(0, ["show", "1", "--output", "json", "--state", ".rollout/state.db"])
        #expect(before.status == 0 && before.stdout.count > 100_000, "\(before.stderr)")
        let target = server.url(database: try server.makeDatabase(prefix: "migrated"))

        let first = try rollout(
            0, ["state", "migrate", "--from", ".rollout/state.db", "--to", target, "--output", "json"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let tables = try json(first)["tables"] as? [[String: Any]] ?? []
        let copied = Dictionary(
            uniqueKeysWithValues: tables.map { ($0["table"] as? String ?? "", $0["copied"] as? Int ?? -1) })
        #expect(copied["rollout"] == 1 && copied["rollout_host"] == 1000, "\(first.stdout)")
        #expect(
            (copied["phase"] ?? 0) >= 5000 && tables.allSatisfy { $0["source"] as? Int == $0["copied"] as? Int },
            "\(first.stdout)")
        let after = try rollout(1, ["show", "1", "--output", "json", "--state", target])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout == before.stdout, "show --output json is byte-identical after the move")

        // Twice: nothing new.
        let again = try rollout(
            0, ["state", "migrate", "--from", ".rollout/state.db", "--to", target, "--output", "json"])
        #expect(again.status == 0, "\(again.stderr)")
        let second = try json(again)["tables"] as? [[String: Any]] ?? []
        #expect(second.allSatisfy { $0["copied"] as? Int == 0 && $0["present"] as? Int == $0["source"] as? Int })

        // Back to a new SQLite file: the same document again.
        let back = try rollout(1, ["state", "migrate", "--from", target, "--to", ".rollout/back.db"])
        #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
        #expect(back.stdout.contains("rollout_host 1000 rows, 1000 copied, 0 already there"), "\(back.stdout)")
        let backShow = try rollout(1, ["show", "1", "--output", "json", "--state", ".rollout/back.db"])
        #expect(backShow.stdout == before.stdout)

        // Another journal's rollout 1 is a conflict: refused, nothing written.
        let other = try rollout(
            1,
            [
                "deploy", "--simulate", "hosts=3,latency=0ms..1ms", "--inventory", "sim", "--playbook", "sim",
                "--version", "v3", "--state", ".rollout/other.db",
            ])
        #expect(other.status == 0, "\(other.stderr)")
        let conflict = try rollout(1, ["state", "migrate", "--from", ".rollout/other.db", "--to", target])
        #expect(conflict.status == 2, "\(conflict.stdout)\(conflict.stderr)")
        #expect(conflict.stderr.contains("rollout id 1") && conflict.stderr.contains("nothing was copied"))
        let database = String(target.split(separator: "/").last!)
        #expect(try server.sql("SELECT count(*) FROM rollout_host", database: database) == "1000\n")
        // New rollouts in the target get ids after the copied ones.
        let next = try rollout(
            1,
            [
                "deploy", "--simulate", "hosts=2,latency=0ms..1ms", "--inventory", "sim", "--playbook", "sim",
                "--version", "v4", "--state", target,
            ])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try server.sql("SELECT max(id) FROM rollout", database: database) == "2\n")
    }
}
