import Foundation
import GRDB
import RolloutModel
import Testing

@testable import RolloutStore

/// A controller killed with SIGKILL at arbitrary moments while journaling: the file stays intact, every
/// write it saw acknowledged is there, and no transaction is half-applied.
///
/// The writer is this test binary re-run as a child process (`writerChild` below, enabled only in the
/// child through the environment), so the real store code is what gets killed.
@Suite(.serialized) struct CrashSafetyTests {
    static let databaseVariable = "ROLLOUT_JOURNAL_CHILD_DB"
    static let acksVariable = "ROLLOUT_JOURNAL_CHILD_ACKS"
    static let hostsPerRollout = 500

    @Test func killedWritersLoseNoAcknowledgedRow() async throws {
        let journal = try await TemporaryJournal()
        let acks = journal.directory.appendingPathComponent("acks.txt").path
        for round in 0..<3 {
            _ = FileManager.default.createFile(atPath: acks, contents: nil)
            try killWriter(database: journal.path, acks: acks, afterAcks: 40 + round * 30)
            try await verify(journal, acks: try String(contentsOfFile: acks, encoding: .utf8))
        }
    }

    /// Starts the child writer, waits for `afterAcks` acknowledged writes, then SIGKILLs it.
    private func killWriter(database: String, acks: String, afterAcks: Int) throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", "CrashSafetyTests/writerChild"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.databaseVariable] = database
        environment[Self.acksVariable] = acks
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        defer {
            if child.isRunning { kill(child.processIdentifier, SIGKILL) }
            child.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(60)
        while (try? String(contentsOfFile: acks, encoding: .utf8))?.split(separator: "\n").count ?? 0 < afterAcks {
            guard child.isRunning, Date() < deadline else {
                throw TestFailure("the writer child stopped or stalled before \(afterAcks) acknowledged writes")
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        // Land the kill at a varying point of the next transactions.
        Thread.sleep(forTimeInterval: Double.random(in: 0...0.03))
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal)
    }

    private func verify(_ journal: TemporaryJournal, acks: String) async throws {
        let store = try await journal.reopen()
        let integrity = try await store.pool.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
        var details: [Int64: RolloutDetail] = [:]
        func detail(_ id: Int64) async throws -> RolloutDetail? {
            if let cached = details[id] { return cached }
            details[id] = try await store.rollout(id)
            return details[id]
        }
        for line in acks.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 2, let id = Int64(fields[1]) else { continue }
            let rollout = try #require(try await detail(id), "acknowledged rollout \(id) is missing")
            switch fields[0] {
            case "hosts": #expect(rollout.hosts.count == Self.hostsPerRollout)
            case "finished": #expect(rollout.hosts.allSatisfy { $0.phases.first?.status == .ok })
            default: break
            }
        }
        // No half-applied transaction: a rollout has all of its hosts or none, and each batch of phases
        // was begun on all hosts or none.
        for summary in try await store.history(limit: 10_000) {
            let rollout = try #require(try await store.rollout(summary.id))
            #expect([0, Self.hostsPerRollout].contains(rollout.hosts.count))
            let begun = rollout.hosts.filter { !$0.phases.isEmpty }.count
            #expect([0, rollout.hosts.count].contains(begun))
        }
    }

    /// The child side of `killedWritersLoseNoAcknowledgedRow`: journals rollouts until killed, appending
    /// one line per acknowledged write. Runs only when the parent sets the environment.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[databaseVariable] != nil))
    func writerChild() async throws {
        let environment = ProcessInfo.processInfo.environment
        let store = try JournalStore(path: try #require(environment[Self.databaseVariable]))
        let acksPath = try #require(environment[Self.acksVariable])
        let acks = try #require(FileHandle(forWritingAtPath: acksPath))
        func ack(_ line: String) {
            acks.seekToEndOfFile()
            acks.write(Data((line + "\n").utf8))
        }
        let names = (0..<Self.hostsPerRollout).map { "host-\($0)" }
        // A bound in case the parent dies without killing us.
        let stop = Date().addingTimeInterval(60)
        while Date() < stop {
            let id = try await store.beginRollout(start("web", "v\(Int.random(in: 0...999))"))
            ack("rollout \(id)")
            try await store.addHosts(hosts(names, to: "2"), to: id)
            ack("hosts \(id)")
            let phases = try await store.beginPhases(names.map { PhaseStart(host: $0, phase: .upload) }, in: id)
            ack("begun \(id)")
            try await store.finishPhases(phases.map { PhaseFinish(phaseID: $0, outcome: .ok) })
            ack("finished \(id)")
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
