import Foundation
import GRDB
import Testing

@testable import RolloutStore

/// Fencing tokens issued with the lock: strictly increasing per lock key across every way the lock changes hands,
/// never reused, and ordered by time across separate journals.
@Suite struct FencingTokenTests {
    let lease = Duration.seconds(30)

    func owner(_ user: String, host: String = "elsewhere", pid: Int32 = 4242) -> LockOwner {
        LockOwner(identity: ControllerIdentity(user: user, host: host, pid: pid, ciJob: nil))
    }

    @Test func theNextTokenIsAboveTheLastAndAtLeastTheTimeInMicroseconds() {
        let now = Date(timeIntervalSince1970: 1_795_000_000.250)
        #expect(FencingToken.next(after: nil, now: now) == 1_795_000_000_250_000)
        #expect(FencingToken.next(after: 5, now: now) == 1_795_000_000_250_000)
        // A clock that went back (or a burst within one microsecond): still above the last.
        #expect(FencingToken.next(after: 1_795_000_000_250_000, now: now) == 1_795_000_000_250_001)
        #expect(FencingToken.next(after: 9_000_000_000_000_000, now: now) == 9_000_000_000_000_001)
        #expect(FencingToken.next(after: nil, now: Date(timeIntervalSince1970: -5)) == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func tokensStrictlyIncreaseAcrossAcquireReleaseTakeoverAndForceRelease(_ backend: StoreBackend) async throws {
        let journal = try await TemporaryJournal(backend)
        let store = journal.store
        var tokens: [Int64] = []
        func take(_ who: LockOwner, _ seconds: Double) async throws -> LockAcquisition {
            let result = try await store.acquireLock(inventory: "web", owner: who, lease: lease, now: at(seconds))
            let fence = try #require(result.lease?.fence, "\(result)")
            tokens.append(fence)
            #expect(try await store.lockStatus(inventory: "web").first?.fence == fence, "the lock row carries it")
            #expect(try await store.lastFence(inventory: "web") == fence, "the high-water mark is the last token")
            return result
        }
        let alice = owner("alice")
        _ = try await take(alice, 0)
        // The holder re-acquiring keeps its token: it is the same acquisition.
        let again = try await store.acquireLock(inventory: "web", owner: alice, lease: lease, now: at(1))
        #expect(again.lease?.fence == tokens[0])
        // Released, the row is gone; the next acquisition still gets a higher token, even at an earlier clock time.
        #expect(try await store.releaseLock(inventory: "web", owner: alice))
        #expect(try await store.lockStatus().isEmpty)
        _ = try await take(owner("bob"), -3600)
        // Taken over from a silent holder on another host (lease expired).
        let takeover = try await take(owner("carol"), 3600)
        guard case .acquiredByTakeover = takeover else {
            Issue.record("expected a takeover, got \(takeover)")
            return
        }
        let event = try #require(try await store.events(inventory: "web", kind: .lockTakeover).first)
        #expect(event.detail?["new_owner"]?["fence"] == .int(tokens[2]))
        #expect(event.detail?["previous"]?["fence"] == .int(tokens[1]))
        // Removed by force, then taken again.
        #expect(try await store.forceReleaseLock(inventory: "web", releasedBy: alice.identity, now: at(3601)) != nil)
        _ = try await take(owner("dave"), 3602)
        // Another key has its own tokens, which do not move this one's.
        _ = try await store.acquireLock(inventory: "api", owner: alice, lease: lease, now: at(3603))
        #expect(try await store.lastFence(inventory: "web") == tokens.last)

        #expect(tokens.count == 4)
        #expect(zip(tokens, tokens.dropFirst()).allSatisfy { $0 < $1 }, "strictly increasing: \(tokens)")
        // A journal that never saw this key still issues a token above these when it acquires later: ordered by time.
        let other = try await TemporaryJournal()
        let later = try await other.store.acquireLock(
            inventory: "web", owner: owner("erin"), lease: lease, now: at(3700))
        #expect(try #require(later.lease?.fence) > tokens.last!)
    }

    @Test func theHighWaterMarkCannotBeDeleted() async throws {
        let journal = try await TemporaryJournal()
        _ = try await journal.store.acquireLock(inventory: "web", owner: owner("alice"), lease: lease, now: t0)
        await #expect(throws: DatabaseError.self) {
            try await journal.store.pool.write { try $0.execute(sql: "DELETE FROM lock_fence") }
        }
        #expect(try await journal.store.lastFence(inventory: "web") != nil)
    }

    /// A journal written before `v4-lock-fence`, with a lock held by an older controller: the migration keeps the lock
    /// (without a token) and the next acquisition gets one.
    @Test func theMigrationAppliesOnAnExistingJournal() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-fence-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("state.db").path
        do {
            let old = try DatabaseQueue(path: path)
            try JournalMigrations.migrator.migrate(old, upTo: "v3-lock-identity")
            try await old.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO inventory_lock (inventory, owner_user, owner_host, owner_pid, owner_token,
                                                    acquired_at, heartbeat_at, expires_at)
                        VALUES ('web', 'old', 'elsewhere', 7, 'tok', ?1, ?1, ?1)
                        """, arguments: [JournalTime.string(from: t0)])
            }
        }
        let store = try JournalStore(path: path)
        #expect(try await store.appliedMigrations().last == "v4-lock-fence")
        let held = try #require(try await store.lockStatus(inventory: "web").first)
        #expect(held.owner.identity.user == "old" && held.fence == nil)
        let taken = try await store.acquireLock(
            inventory: "web", owner: owner("new", host: "another"), lease: lease, now: at(1))
        #expect(taken.lease?.fence != nil, "\(taken)")
    }
}
