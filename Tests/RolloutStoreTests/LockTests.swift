import Foundation
import RolloutStore
import Testing

@Suite struct LockTests {
    let lease = Duration.seconds(30)

    func owner(_ user: String, host: String = ControllerIdentity.currentHostName(), pid: Int32 = getpid()) -> LockOwner
    {
        LockOwner(identity: ControllerIdentity(user: user, host: host, pid: pid, ciJob: "gitlab:\(user)"))
    }

    /// The pid of a process that existed and is gone: `/bin/true`, run to completion and reaped.
    func deadPid() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test(arguments: StoreBackend.allCases) func secondOwnerSeesTheHolder(_ backend: StoreBackend) async throws {
        let journal = try await TemporaryJournal(backend)
        let first = owner("alice")
        let second = owner("bob")
        let acquired = try await journal.store.acquireLock(inventory: "web", owner: first, lease: lease, now: t0)
        #expect(acquired == .acquired(try #require(acquired.lease)))
        #expect(acquired.lease?.expiresAt == at(30))

        let result = try await (try await journal.reopen()).acquireLock(
            inventory: "web", owner: second, lease: lease, now: at(1))
        guard case .held(let holder) = result else {
            Issue.record("expected held, got \(result)")
            return
        }
        #expect(holder.owner == first)
        #expect(holder.owner.identity.ciJob == "gitlab:alice")
        #expect(holder.acquiredAt == t0 && holder.expiresAt == at(30))
        // Another inventory is independent.
        #expect(
            try await journal.store.acquireLock(inventory: "api", owner: second, lease: lease, now: at(1)).lease != nil)
        #expect(try await journal.store.lockStatus().map(\.inventory) == ["api", "web"])
        #expect(try await journal.store.lockStatus(inventory: "web").map(\.owner) == [first])
    }

    @Test(arguments: StoreBackend.allCases) func anExpiredLeaseIsTakenOverAndRecorded(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        let first = owner("alice", host: "elsewhere")
        let second = owner("bob")
        _ = try await journal.store.acquireLock(inventory: "web", owner: first, lease: lease, now: t0)
        // Not yet expired (other host, so its pid cannot be checked): held.
        let early = try await journal.store.acquireLock(inventory: "web", owner: second, lease: lease, now: at(29.999))
        #expect(early.lease == nil)
        #expect(try await journal.store.events(inventory: "web").isEmpty)

        let late = try await journal.store.acquireLock(inventory: "web", owner: second, lease: lease, now: at(30))
        guard case .acquiredByTakeover(let mine, let previous, let reason) = late else {
            Issue.record("expected a takeover, got \(late)")
            return
        }
        #expect(reason == .leaseExpired && previous.owner == first && mine.owner == second)
        #expect(try await journal.store.lockStatus(inventory: "web").map(\.owner) == [second])
        let events = try await journal.store.events(inventory: "web", kind: .lockTakeover)
        #expect(events.count == 1)
        #expect(events[0].detail?["previous"]?["user"] == .string("alice"))
        #expect(events[0].detail?["reason"] == .string("lease_expired"))
        #expect(events[0].message.contains("alice@elsewhere"))
        // The old owner has lost it: its heartbeat fails and its release changes nothing.
        let lost = await #expect(throws: JournalError.self) {
            try await journal.store.renewLock(inventory: "web", owner: first, lease: lease, now: at(31))
        }
        #expect(lost?.code == .lockNotHeld)
        #expect(try await journal.store.releaseLock(inventory: "web", owner: first) == false)
        #expect(try await journal.store.lockStatus(inventory: "web").map(\.owner) == [second])
    }

    @Test(arguments: StoreBackend.allCases) func aDeadProcessOnTheSameHostIsTakenOver(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        let pid = try deadPid()
        let first = owner("alice", pid: pid)
        let second = owner("bob")
        _ = try await journal.store.acquireLock(inventory: "web", owner: first, lease: lease, now: t0)
        let result = try await journal.store.acquireLock(inventory: "web", owner: second, lease: lease, now: at(1))
        guard case .acquiredByTakeover(_, let previous, let reason) = result else {
            Issue.record("expected a takeover of dead pid \(pid), got \(result)")
            return
        }
        #expect(reason == .ownerProcessGone && previous.owner.identity.pid == pid)
        #expect(
            try await journal.store.events(kind: .lockTakeover).first?.detail?["reason"]
                == .string("owner_process_gone"))
    }

    @Test(arguments: StoreBackend.allCases) func aLiveProcessOnTheSameHostKeepsItsLock(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        let first = owner("alice", pid: getpid())
        let second = owner("bob")
        _ = try await journal.store.acquireLock(inventory: "web", owner: first, lease: lease, now: t0)
        let result = try await journal.store.acquireLock(inventory: "web", owner: second, lease: lease, now: at(1))
        #expect(result == .held(by: try #require(try await journal.store.lockStatus(inventory: "web").first)))
    }

    @Test(arguments: StoreBackend.allCases) func aDeadPidOnAnotherHostProvesNothing(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        let first = owner("alice", host: "other-host", pid: try deadPid())
        let second = owner("bob")
        _ = try await journal.store.acquireLock(inventory: "web", owner: first, lease: lease, now: t0)
        let result = try await journal.store.acquireLock(
            inventory: "web", owner: second, lease: lease, now: at(1), isProcessAlive: { _ in false })
        #expect(result.lease == nil)
    }

    @Test(arguments: StoreBackend.allCases) func theInjectedLivenessCheckDecides(_ backend: StoreBackend) async throws {
        let journal = try await TemporaryJournal(backend)
        let first = owner("alice", pid: 1234)
        let second = owner("bob")
        _ = try await journal.store.acquireLock(inventory: "web", owner: first, lease: lease, now: t0)
        let alive = try await journal.store.acquireLock(
            inventory: "web", owner: second, lease: lease, now: at(1), isProcessAlive: { _ in true })
        #expect(alive.lease == nil)
        let gone = try await journal.store.acquireLock(
            inventory: "web", owner: second, lease: lease, now: at(1), isProcessAlive: { $0 != 1234 })
        #expect(gone.lease?.owner == second)
    }

    @Test(arguments: StoreBackend.allCases) func renewExtendsTheLeaseAndReleaseFreesIt(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        let first = owner("alice", host: "elsewhere")
        let second = owner("bob")
        _ = try await journal.store.acquireLock(inventory: "web", owner: first, lease: lease, now: t0)
        let renewed = try await journal.store.renewLock(inventory: "web", owner: first, lease: lease, now: at(25))
        #expect(renewed.acquiredAt == t0 && renewed.heartbeatAt == at(25) && renewed.expiresAt == at(55))
        // Past the original expiry, but within the renewed one: still held.
        #expect(
            try await journal.store.acquireLock(inventory: "web", owner: second, lease: lease, now: at(40)).lease == nil
        )
        // Re-acquiring by the holder refreshes without a takeover.
        let again = try await journal.store.acquireLock(inventory: "web", owner: first, lease: lease, now: at(41))
        guard case .acquired(let refreshed) = again else {
            Issue.record("expected acquired, got \(again)")
            return
        }
        #expect(refreshed.acquiredAt == t0 && refreshed.expiresAt == at(71))

        #expect(try await journal.store.releaseLock(inventory: "web", owner: first))
        #expect(try await journal.store.lockStatus().isEmpty)
        let next = try await journal.store.acquireLock(inventory: "web", owner: second, lease: lease, now: at(42))
        guard case .acquired = next else {
            Issue.record("expected acquired, got \(next)")
            return
        }
        #expect(try await journal.store.events().isEmpty)
    }

    @Test(arguments: StoreBackend.allCases) func forceReleaseRemovesAnyHolderAndIsRecorded(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        let first = owner("alice")
        #expect(try await journal.store.forceReleaseLock(inventory: "web", releasedBy: alice) == nil)
        _ = try await journal.store.acquireLock(inventory: "web", owner: first, lease: lease, now: t0)
        let previous = try await journal.store.forceReleaseLock(inventory: "web", releasedBy: alice, now: at(3))
        #expect(previous?.owner == first)
        #expect(try await journal.store.lockStatus().isEmpty)
        let events = try await journal.store.events(inventory: "web")
        #expect(events.map(\.kind) == [.lockForceRelease])
        #expect(events[0].at == at(3))
        #expect(events[0].detail?["previous"]?["user"] == .string("alice"))
        #expect(events[0].detail?["released_by"]?["ci_job"] == .string("github:99/deploy"))
        // The holder learns at its next heartbeat that it lost the lock.
        let lost = await #expect(throws: JournalError.self) {
            try await journal.store.renewLock(inventory: "web", owner: first, lease: lease, now: at(4))
        }
        #expect(lost?.code == .lockNotHeld && lost?.message.contains("released") == true)
    }

    /// A stopped (Ctrl-Z) controller on this host is alive: its expired lease is not taken over.
    @Test(arguments: StoreBackend.allCases) func anExpiredLeaseOfALiveProcessOnTheSameHostIsNotTakenOver(
        _ backend: StoreBackend
    ) async throws {
        let journal = try await TemporaryJournal(backend)
        let first = LockOwner.current(
            ControllerIdentity(user: "alice", host: ControllerIdentity.currentHostName(), pid: getpid()))
        #expect(first.processStart != nil, "this process's start time is read from /proc")
        _ = try await journal.store.acquireLock(inventory: "web", owner: first, lease: lease, now: t0)
        let late = try await journal.store.acquireLock(
            inventory: "web", owner: owner("bob"), lease: lease, now: at(3600))
        #expect(late == .held(by: try #require(try await journal.store.lockStatus(inventory: "web").first)))
        #expect(try await journal.store.events(kind: .lockTakeover).isEmpty)
        // Still its own: the holder renews when it runs again.
        #expect(
            try await journal.store.renewLock(inventory: "web", owner: first, lease: lease, now: at(3601)).owner
                == first)
    }

    /// A pid that now belongs to a later process (another start time) is a dead holder.
    @Test(arguments: StoreBackend.allCases) func aReusedPidIsTakenOver(_ backend: StoreBackend) async throws {
        let journal = try await TemporaryJournal(backend)
        let first = LockOwner(
            identity: ControllerIdentity(user: "alice", host: ControllerIdentity.currentHostName(), pid: 4321),
            processStart: "boot:100")
        _ = try await journal.store.acquireLock(inventory: "web", owner: first, lease: lease, now: t0)
        let same = try await journal.store.acquireLock(
            inventory: "web", owner: owner("bob"), lease: lease, now: at(1), isProcessAlive: { _ in true },
            processStart: { _ in "boot:100" })
        #expect(same.lease == nil, "the same process: held")
        let reused = try await journal.store.acquireLock(
            inventory: "web", owner: owner("bob"), lease: lease, now: at(1), isProcessAlive: { _ in true },
            processStart: { _ in "boot:999" })
        guard case .acquiredByTakeover(_, let previous, let reason) = reused else {
            Issue.record("expected a takeover of a reused pid, got \(reused)")
            return
        }
        #expect(reason == .ownerPidReused && previous.owner == first)
    }

    /// A lock an older controller keyed by a typed path is the same fleet's lock when passed as an alias.
    @Test(arguments: StoreBackend.allCases) func aLockUnderAnAliasIsHeldOrTakenOver(_ backend: StoreBackend)
        async throws
    {
        let journal = try await TemporaryJournal(backend)
        let first = owner("alice")
        _ = try await journal.store.acquireLock(inventory: "inventories/web.yml", owner: first, lease: lease, now: t0)
        let held = try await journal.store.acquireLock(
            inventory: "/srv/p/inventories/web.yml", owner: owner("bob"), lease: lease, now: at(1),
            aliases: ["/srv/p/inventories/web.yml", "inventories/web.yml"])
        #expect(held.lease == nil)
        #expect(try await journal.store.lockStatus().map(\.inventory) == ["inventories/web.yml"])
        let dead = try await journal.store.acquireLock(
            inventory: "/srv/p/inventories/web.yml", owner: owner("bob"), lease: lease, now: at(2),
            aliases: ["inventories/web.yml"], isProcessAlive: { _ in false })
        guard case .acquiredByTakeover(_, let previous, .ownerProcessGone) = dead else {
            Issue.record("expected a takeover of the aliased lock, got \(dead)")
            return
        }
        #expect(previous.inventory == "inventories/web.yml")
        #expect(try await journal.store.lockStatus().map(\.inventory) == ["/srv/p/inventories/web.yml"])
    }
}
