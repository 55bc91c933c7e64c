import Foundation
import Testing

@testable import RolloutStore

/// `--state` parsing and the libpq-style completion from the environment: pure, no server.
@Suite struct PostgresLocationTests {
    @Test func aPathIsSQLiteAndBothSchemesArePostgres() throws {
        #expect(try JournalLocation(".rollout/state.db") == .sqlite(".rollout/state.db"))
        #expect(try JournalLocation("/srv/x:y/state.db") == .sqlite("/srv/x:y/state.db"))
        #expect(try JournalLocation("postgres://ci@db/rollout") == .postgres("postgres://ci@db/rollout"))
        #expect(try JournalLocation("PostgreSQL://ci@db/rollout") == .postgres("PostgreSQL://ci@db/rollout"))
        let typo = #expect(throws: JournalError.self) { try JournalLocation("postgress://ci@db/rollout") }
        #expect(typo?.code == .invalidLocation && typo?.message.contains("unknown scheme") == true)
        #expect(throws: JournalError.self) { try JournalLocation("") }
    }

    @Test func theURLIsCompletedFromTheEnvironmentLikeLibpq() throws {
        let full = try PostgresLocation(
            "postgres://deploy@db.internal:6543/journal?sslmode=require", environment: ["PGPASSWORD": "s3cret"])
        #expect(full.host == "db.internal" && full.port == 6543 && full.user == "deploy" && full.database == "journal")
        #expect(full.password == "s3cret" && full.sslMode == .require)
        #expect(full.description == "postgres://deploy@db.internal:6543/journal")

        let bare = try PostgresLocation(
            "postgresql://db",
            environment: ["PGUSER": "ci", "PGPORT": "5433", "PGSSLMODE": "disable", "HOME": "/nonexistent"])
        #expect(bare.user == "ci" && bare.port == 5433 && bare.database == "ci" && bare.sslMode == .disable)
        #expect(bare.password == nil)

        let defaults = try PostgresLocation("postgres://u@h/d", environment: ["HOME": "/nonexistent"])
        #expect(defaults.port == 5432 && defaults.sslMode == .prefer)
    }

    @Test func thePasswordNeverShowsInDescriptionsOrErrors() throws {
        let location = try PostgresLocation("postgres://ci:hunter2@db:5432/j", environment: [:])
        #expect(location.password == "hunter2")
        #expect(!location.description.contains("hunter2"))
        let bad = #expect(throws: JournalError.self) {
            try PostgresLocation("postgres://ci:hunter2@db:5432/j?sslmode=maybe", environment: [:])
        }
        #expect(bad?.message.contains("sslmode") == true && bad?.message.contains("hunter2") == false)
        let unknown = #expect(throws: JournalError.self) {
            try PostgresLocation("postgres://ci:hunter2@db:5432/j?application=x", environment: [:])
        }
        #expect(unknown?.message.contains("ci:***@db") == true && unknown?.message.contains("hunter2") == false)
        let noHost = #expect(throws: JournalError.self) { try PostgresLocation("postgres:///j", environment: [:]) }
        #expect(noHost?.code == .invalidLocation)
    }

    @Test func passFileLinesMatchWithWildcardsAndEscapes() {
        let text = """
            # comment
            other:5432:*:ci:wrong
            db\\:6:*:*:ci:colon
            db:5432:journal:ci:right
            *:*:*:ci:fallback
            """
        #expect(PassFile.match(text, host: "db", port: 5432, database: "journal", user: "ci") == "right")
        #expect(PassFile.match(text, host: "db", port: 5432, database: "other", user: "ci") == "fallback")
        #expect(PassFile.match(text, host: "db:6", port: 7, database: "x", user: "ci") == "colon")
        #expect(PassFile.match(text, host: "db", port: 5432, database: "journal", user: "ops") == nil)
    }

    @Test func aPassFileReadableByOthersIsRefusedAndOneOfTheOwnerIsUsed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-pgpass-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("pgpass").path
        try "db:5432:journal:ci:from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o644)
        let open = #expect(throws: JournalError.self) {
            try PostgresLocation("postgres://ci@db/journal", environment: ["PGPASSFILE": file])
        }
        #expect(open?.message.contains("chmod 600") == true)
        chmod(file, 0o600)
        #expect(
            try PostgresLocation("postgres://ci@db/journal", environment: ["PGPASSFILE": file]).password == "from-file")
        // PGPASSWORD wins over the file, as with libpq.
        #expect(
            try PostgresLocation("postgres://ci@db/journal", environment: ["PGPASSFILE": file, "PGPASSWORD": "env"])
                .password == "env")
    }
}
