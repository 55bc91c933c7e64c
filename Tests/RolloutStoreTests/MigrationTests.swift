import Foundation
import GRDB
import Testing

@testable import RolloutStore

@Suite struct MigrationTests {
    @Test func createsDirectoryAndAppliesNamedMigrationsInWALMode() async throws {
        let journal = try await TemporaryJournal()
        #expect(FileManager.default.fileExists(atPath: journal.path))
        #expect(
            try await journal.store.appliedMigrations() == [
                "v1-journal", "v2-config-files", "v3-lock-identity", "v4-lock-fence",
            ])
        // WAL leaves its -wal file next to the database while a connection is open.
        #expect(FileManager.default.fileExists(atPath: journal.path + "-wal"))
    }

    @Test func reopeningKeepsDataAndSchema() async throws {
        let journal = try await TemporaryJournal()
        let id = try await journal.store.beginRollout(start("web", "1.0"))
        let second = try await journal.reopen()
        #expect(
            try await second.appliedMigrations() == [
                "v1-journal", "v2-config-files", "v3-lock-identity", "v4-lock-fence",
            ])
        #expect(try await second.rollout(id)?.summary.version == "1.0")
        // Both pools write to the same file.
        let other = try await second.beginRollout(start("web", "1.1"))
        #expect(try await journal.store.history().map(\.id).sorted() == [id, other])
    }

    @Test func concurrentOpenersOfANewFileAllSucceed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-open-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.db").path
        let migrations = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<6 {
                group.addTask { try await JournalStore(path: path).appliedMigrations() }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(
            migrations
                == Array(repeating: ["v1-journal", "v2-config-files", "v3-lock-identity", "v4-lock-fence"], count: 6))
    }

    @Test func anUnwritableLocationIsAClearError() throws {
        let error = #expect(throws: JournalError.self) {
            try JournalStore(path: "/proc/rollout-cannot-exist/state.db")
        }
        #expect(error?.code == .cannotOpen)
    }

    @Test func aFileThatIsNotADatabaseIsAClearError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-notdb-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("inventory.yml").path
        try Data(String(repeating: "hosts:\n  - web-1\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: JournalError.self) { try JournalStore(path: path) }
        #expect(error?.code == .cannotOpen)
        #expect(error?.message.contains("not a SQLite database") == true)
    }

    @Test func historyRowsCannotBeDeleted() async throws {
        let journal = try await TemporaryJournal()
        let id = try await journal.store.journalRollout(
            "web", "1", hostStatuses: ["a": .succeeded], status: .succeeded, at: t0)
        try await journal.store.recordEvent(.canaryPromoted, message: "ok", rolloutID: id)
        for table in ["phase", "event", "rollout_host", "rollout"] {
            await #expect(throws: DatabaseError.self, "DELETE FROM \(table)") {
                try await journal.store.pool.write { try $0.execute(sql: "DELETE FROM \(table)") }
            }
        }
        let detail = try #require(try await journal.store.rollout(id))
        #expect(detail.hosts.count == 1 && detail.hosts[0].phases.count == 1 && detail.events.count == 1)
        // Foreign keys are enforced: a phase cannot point at a host that does not exist.
        await #expect(throws: DatabaseError.self) {
            try await journal.store.pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO phase (rollout_id, host_id, name, status, started_at) VALUES (?, 999, 'x', 'ok', 'x')
                        """,
                    arguments: [id])
            }
        }
    }
}

/// Two controllers creating the journal at the same moment: one of them finds the other's lock on the brand-new file
/// while it switches it to WAL (SQLite answers that pragma with SQLITE_BUSY at once, without waiting).
@Suite struct JournalOpenRaceTests {
    @Test func openingWaitsForAnotherProcessSettingUpTheFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-race-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("state.db").path
        // Another opener, caught in the middle of setting up the new file: it holds an exclusive lock for 500 ms.
        let other = try DatabaseQueue(path: path)
        let locked = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? other.inDatabase { db in
                try db.execute(sql: "BEGIN EXCLUSIVE; CREATE TABLE setup(x)")
                locked.signal()
                usleep(500_000)
                try db.execute(sql: "COMMIT")
            }
            released.signal()
        }
        locked.wait()
        let store = try JournalStore(path: path)
        #expect(
            try await store.appliedMigrations() == [
                "v1-journal", "v2-config-files", "v3-lock-identity", "v4-lock-fence",
            ])
        released.wait()
    }
}

extension JournalStore {
    /// The SQLite backend's connection pool (SQLite-only tests).
    var pool: DatabasePool { (backend as! SQLiteJournalStore).pool }
}
