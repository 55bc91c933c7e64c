import Foundation
import RolloutModel
import RolloutTestSupport
import Testing

@testable import RolloutStore

/// What only the PostgreSQL backend has: its migration table, its triggers, logins, and a server that goes away.
/// Everything else is the shared store suite, run on both backends (``StoreBackend``).
@Suite struct PostgresJournalTests {
    @Test func namedMigrationsAreRecordedAndReopeningChangesNothing() async throws {
        let journal = try await TemporaryJournal(.postgres)
        let names = ["v1-journal", "v2-config-files", "v3-lock-identity", "v4-lock-fence"]
        #expect(try await journal.store.appliedMigrations() == names)
        let id = try await journal.store.journalRollout(
            "web", "1", hostStatuses: ["a": .succeeded], status: .succeeded, at: t0)
        let again = try await journal.reopen()
        #expect(try await again.appliedMigrations() == names)
        #expect(try await again.rollout(id)?.hosts.map(\.name) == ["a"])
        let server = try PostgresServer.shared()
        let database = String(journal.state.split(separator: "/").last!)
        #expect(try server.sql("SELECT count(*) FROM rollout_migrations", database: database) == "4\n")
    }

    @Test func concurrentOpenersOfANewDatabaseAllSucceed() async throws {
        let server = try PostgresServer.shared()
        let url = server.url(database: try server.makeDatabase())
        let environment = server.clientEnvironment
        let migrations = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let store = try await JournalStore.open(url, environment: environment)
                    defer { Task { await store.close() } }
                    return try await store.appliedMigrations()
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(migrations.count == 6 && Set(migrations.map { $0.joined(separator: ",") }).count == 1)
    }

    @Test func historyRowsCannotBeDeletedNorTruncated() async throws {
        let journal = try await TemporaryJournal(.postgres)
        let id = try await journal.store.journalRollout(
            "web", "1", hostStatuses: ["a": .succeeded], status: .succeeded, at: t0)
        try await journal.store.recordEvent(.canaryPromoted, message: "ok", rolloutID: id)
        try await journal.store.recordConfigFiles(
            [ConfigFileEntry(path: "/etc/x", sha256: "aa", size: 1)], host: "a", in: id)
        let server = try PostgresServer.shared()
        let database = String(journal.state.split(separator: "/").last!)
        for table in ["config_file", "phase", "event", "rollout_host", "rollout"] {
            for statement in ["DELETE FROM \(table)", "TRUNCATE \(table) CASCADE"] {
                let error = #expect(throws: TestSupportError.self, "\(statement)") {
                    try server.sql(statement, database: database)
                }
                #expect(error?.description.contains("journal history is never deleted") == true, "\(statement)")
            }
        }
        let detail = try #require(try await journal.store.rollout(id))
        #expect(detail.hosts.count == 1 && detail.hosts[0].phases.count == 1 && detail.events.count == 1)
    }

    @Test func aWrongPasswordNamesTheServerAndNeverThePassword() async throws {
        let server = try PostgresServer.shared()
        let url = server.url(database: "postgres")
        let error = await #expect(throws: JournalError.self) {
            try await JournalStore.open(url, environment: ["PGPASSWORD": "not-the-password-42"])
        }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("127.0.0.1:\(server.port)/postgres") == true)
        #expect(error?.message.contains("password authentication failed") == true)
        #expect(error?.message.contains("not-the-password-42") == false)
    }

    @Test func aServerThatIsNotThereIsUnreachable() async throws {
        let port = try LocalPorts.free()
        let error = await #expect(throws: JournalError.self) {
            try await JournalStore.open("postgres://ci@127.0.0.1:\(port)/journal", environment: ["PGPASSWORD": "x"])
        }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("postgres://ci@127.0.0.1:\(port)/journal") == true)
    }

    @Test func showJSONIsByteIdenticalOnBothBackends() async throws {
        var documents: [String] = []
        for backend in StoreBackend.allCases {
            let journal = try await TemporaryJournal(backend)
            let store = journal.store
            var begin = start("web", "2.0", previous: "1.9")
            begin.plan = .object(["batches": .array([.array([.string("a"), .string("b")])]), "n": .double(0.5)])
            let id = try await store.beginRollout(begin)
            try await store.addHosts(hosts(["a", "b"], to: "2.0", from: "1.9"), to: id, at: at(0))
            let upload = try await store.beginPhase(
                .upload, host: "a", in: id, detail: .object(["sha256": .string("ab"), "bytes": .int(12)]), at: at(0))
            try await store.finishPhase(upload, outcome: .ok, at: at(1.5))
            let verify = try await store.beginPhase(.verify, host: "b", in: id, at: at(1))
            try await store.finishPhase(verify, outcome: .failed, error: "HTTP 503 \"down\"\n", at: at(2.25))
            try await store.recordConfigFiles(
                [ConfigFileEntry(path: "/etc/app.conf", sha256: "ff", size: 10, mode: "0644")], host: "a", in: id,
                at: at(3))
            try await store.setHostStatus(.succeeded, host: "a", in: id, at: at(3))
            try await store.setHostStatus(.failed, host: "b", in: id, error: "verify: 503 é", at: at(3))
            try await store.recordEvent(
                .interrupted, message: "stopped", rolloutID: id, detail: .object(["by": .string("ü")]), at: at(4))
            try await store.finishRollout(id, status: .partial, exitCode: 4, error: "1 host failed", at: at(5))
            documents.append(try #require(try await store.rollout(id)).jsonText())
        }
        #expect(documents[0] == documents[1])
    }

    /// A server killed under the journal and started again: a write waits (retrying with backoff) and then commits
    /// once, and reads work again; a dedicated server, as the shared one serves other tests meanwhile.
    @Test func writesRetryWhileTheServerIsDownAndCommitOnce() async throws {
        let server = try PostgresServer()
        let url = server.url(database: try server.makeDatabase())
        let store = try await JournalStore.open(url, environment: server.clientEnvironment)
        defer { Task { await store.close() } }
        let id = try await store.beginRollout(start("web", "1"))
        try await store.addHosts(hosts(["a"], to: "1"), to: id)
        server.kill()
        let restarted = Task.detached {
            try await Task.sleep(for: .seconds(2))
            try server.start()
        }
        let began = ContinuousClock.now
        let phase = try await store.beginPhase(.upload, host: "a", in: id)
        #expect(ContinuousClock.now - began >= .seconds(1.5))
        try await restarted.value
        try await store.finishPhase(phase, outcome: .ok)
        let detail = try #require(try await store.rollout(id))
        #expect(detail.hosts[0].phases.map(\.status) == [.ok])
        let database = String(url.split(separator: "/").last!)
        #expect(try server.sql("SELECT count(*) FROM phase", database: database) == "1\n")
    }

    /// Past its patience a write fails as `unreachable`, naming the journal; nothing of it is written.
    @Test func aServerThatStaysDownFailsTheWriteAsUnreachable() async throws {
        let server = try PostgresServer()
        let location = try PostgresLocation(
            server.url(database: try server.makeDatabase()), environment: server.clientEnvironment)
        let store = JournalStore(backend: try await PostgresJournalStore.open(location, retryPatience: .seconds(2)))
        let id = try await store.beginRollout(start("web", "1"))
        server.kill()
        let error = await #expect(throws: JournalError.self) {
            try await store.addHosts(hosts(["a"], to: "1"), to: id)
        }
        #expect(error?.code == .unreachable && error?.message.contains("127.0.0.1:\(server.port)") == true)
        try server.start()
        #expect(try await store.rollout(id)?.hosts.isEmpty == true)
        await store.close()
    }
}
