import Foundation
import RolloutModel
import RolloutStore
import RolloutTestSupport
import Synchronization
import Testing

/// The journal backends every store test runs against.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// A SQLite file in a temporary directory.
    case sqlite
    /// A fresh database on the test process's PostgreSQL server (``PostgresServer/shared()``).
    case postgres

    var testDescription: String { rawValue }
}

/// A journal of one backend: a SQLite file in a fresh temporary directory (removed when the value is deinitialized),
/// or a new database on the shared PostgreSQL server.
final class TemporaryJournal: Sendable {
    let backend: StoreBackend
    let directory: URL
    /// The `--state` of this journal: the file's path or the database's URL.
    let state: String
    let store: JournalStore
    private let opened: Mutex<[JournalStore]>

    /// The SQLite file (only for `.sqlite`).
    var path: String { state }

    /// The environment a PostgreSQL client needs (its password), empty for SQLite.
    var environment: [String: String] {
        backend == .postgres ? ((try? PostgresServer.shared().clientEnvironment) ?? [:]) : [:]
    }

    init(_ backend: StoreBackend = .sqlite, file: String = "state.db") async throws {
        self.backend = backend
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-store-\(UUID().uuidString)")
        switch backend {
        case .sqlite:
            state = directory.appendingPathComponent(".rollout/\(file)").path
        case .postgres:
            let server = try PostgresServer.shared()
            state = server.url(database: try server.makeDatabase())
        }
        store = try await JournalStore.open(
            state, environment: backend == .postgres ? try PostgresServer.shared().clientEnvironment : [:])
        opened = Mutex([store])
    }

    /// Another store (another connection pool) on the same journal, as a second controller would open it.
    func reopen() async throws -> JournalStore {
        let store = try await JournalStore.open(state, environment: environment)
        opened.withLock { $0.append(store) }
        return store
    }

    deinit {
        // PostgreSQL connections are closed in the background; the server is the test process's.
        let stores = opened.withLock { $0 }
        Task { for store in stores { await store.close() } }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A fixed instant with whole milliseconds, so that stored and expected times compare equal.
let t0 = Date(timeIntervalSince1970: 1_795_000_000.250)

func at(_ seconds: Double) -> Date { JournalTime.rounded(t0.addingTimeInterval(seconds)) }

let alice = ControllerIdentity(user: "alice", host: "deploy-box", pid: 4242, ciJob: "github:99/deploy")

func start(
    _ inventory: String, _ version: String, previous: String? = nil, at date: Date = t0
) -> RolloutStart {
    RolloutStart(
        inventory: inventory, playbook: "web", version: version, previousVersion: previous,
        strategy: "batches of 2", startedBy: alice, startedAt: date)
}

func hosts(_ names: [String], to version: String, from: String? = nil) -> [HostEntry] {
    names.enumerated().map { index, name in
        HostEntry(
            name: name, address: "10.0.0.\(index + 1):22", position: index, batch: index / 2, fromVersion: from,
            toVersion: version, strategy: "hot")
    }
}

extension JournalStore {
    /// Journals a whole rollout in which every host ends with the given status (succeeded hosts get
    /// one `ok` phase). Returns its id.
    func journalRollout(
        _ inventory: String, _ version: String, previous: String? = nil, hostStatuses: [String: HostStatus],
        status: RolloutStatus, at date: Date
    ) async throws -> Int64 {
        let id = try await beginRollout(start(inventory, version, previous: previous, at: date))
        try await addHosts(hosts(hostStatuses.keys.sorted(), to: version, from: previous), to: id, at: date)
        for (host, hostStatus) in hostStatuses {
            let phase = try await beginPhase(.switch, host: host, in: id, at: date)
            try await finishPhase(phase, outcome: hostStatus == .failed ? .failed : .ok, at: date.addingTimeInterval(1))
            try await setHostStatus(hostStatus, host: host, in: id, at: date.addingTimeInterval(1))
        }
        try await finishRollout(
            id, status: status, exitCode: status == .succeeded ? 0 : 1, at: date.addingTimeInterval(2))
        return id
    }
}
