import Foundation
import RolloutModel
import RolloutReport
import RolloutStore
import Testing

/// The HTML and SVG reports of journals written through the store's public API: structure (element counts, bar order,
/// failure text), escaping, and that nothing is loaded from anywhere.
@Suite("rollout show --output html|svg")
struct ReportTests {
    let t0 = Date(timeIntervalSince1970: 1_795_000_000)
    func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }
    let hostile = "<script>alert(1)</script>"

    /// A canary (h1, drained through a gateway, then baked), h2 fine, h3 failing its verify and rolled back, and a
    /// host named like a script that never started.
    func journal() async throws -> (JournalStore, Int64, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-report-\(UUID())")
        let store = try JournalStore(path: directory.appendingPathComponent("state.db").path)
        var begin = RolloutStart(
            inventory: "inventories/prod.yml", playbook: "web", version: "v2", previousVersion: "v1",
            strategy: "canary 1, then batches of 2",
            startedBy: ControllerIdentity(user: "ci", host: "runner", pid: 7, ciJob: nil),
            startedAt: t0)
        begin.plan = .object([
            "batches": .array([
                .object(["kind": .string("canary"), "hosts": .array([.string("h1")])]),
                .object(["kind": .string("batch"), "hosts": .array([.string("h2"), .string("h3"), .string(hostile)])]),
            ])
        ])
        let id = try await store.beginRollout(begin)
        let names = ["h1", "h2", "h3", hostile]
        try await store.addHosts(
            names.enumerated().map { index, name in
                HostEntry(
                    name: name, address: nil, position: index, batch: index == 0 ? 0 : 1, fromVersion: "v1",
                    toVersion: "v2", strategy: "drain")
            }, to: id, at: t0)
        var clock = 0.0
        func phase(
            _ name: Phase, _ host: String, _ seconds: Double, _ outcome: PhaseOutcome = .ok, error: String? = nil
        )
            async throws
        {
            let entry = try await store.beginPhase(name, host: host, in: id, at: at(clock))
            clock += seconds
            try await store.finishPhase(entry, outcome: outcome, error: error, at: at(clock))
        }
        for name: Phase in [.upload, .drain, .switch, .restart, .verify, .undrain] { try await phase(name, "h1", 1) }
        try await store.setHostStatus(.succeeded, host: "h1", in: id, at: at(clock))
        try await store.recordEvent(.canaryBaking, message: "baking 5 s", rolloutID: id, at: at(clock))
        clock += 5
        try await store.recordEvent(.canaryBaked, message: "baked", rolloutID: id, at: at(clock))
        for name: Phase in [.upload, .switch, .restart, .verify] { try await phase(name, "h2", 0.5) }
        try await store.setHostStatus(.succeeded, host: "h2", in: id, at: at(clock))
        try await phase(.upload, "h3", 0.5)
        try await phase(.verify, "h3", 2, .failed, error: "GET /health answered 503: \(hostile)")
        try await phase(.rollback, "h3", 1)
        try await store.setHostStatus(.rolledBack, host: "h3", in: id, error: "verify failed", at: at(clock))
        try await store.finishRollout(
            id, status: .rolledBack, exitCode: 1, error: "1 host failed verify", at: at(clock))
        return (store, id, directory)
    }

    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test("the page: failures first, one timeline row per host with its phases in order, canary, bake, drained time")
    func htmlStructure() async throws {
        let (store, id, directory) = try await journal()
        defer { try? FileManager.default.removeItem(at: directory) }
        let detail = try #require(try await store.rollout(id))
        let html = RolloutReport.html(detail, now: at(100))

        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("<span class=\"status rolled_back\" id=\"status\">rolled_back</span>"))
        #expect(html.contains("<p class=\"error\" id=\"rollout-error\">1 host failed verify</p>"))
        let failures = try #require(html.range(of: "<section id=\"failures\">"))
        let timeline = try #require(html.range(of: "<section id=\"timeline\">"))
        #expect(failures.lowerBound < timeline.lowerBound, "failures come before the timeline")
        #expect(count("<li class=\"failure\"", in: html) == 1)
        #expect(
            html.contains(
                "<li class=\"failure\" data-host=\"h3\"><span class=\"host\">h3</span> (batch 1, rolled_back): <b>verify</b>: GET /health answered 503: &lt;script&gt;"
            ))

        #expect(count("<g class=\"row host", in: html) == 4, "one row per host")
        let h1 = try #require(Self.row("h1", in: html))
        #expect(Self.phases(in: h1) == ["upload", "drain", "switch", "restart", "verify", "undrain"], "bars in order")
        #expect(count("class=\"bar ok\"", in: h1) == 6)
        #expect(count("<rect class=\"drained\"", in: h1) == 1, "out of rotation from drain to undrain")
        #expect(h1.contains("h1 out of rotation 5.00 s"), "from the start of drain to the end of undrain")
        #expect(h1.contains("h1 ◆"), "the canary is marked")
        #expect(html.contains("batch 0 · canary"))
        #expect(count("<g class=\"band\">", in: html) == 1 && html.contains("<title>bake: 5.00 s</title>"))
        let h3 = try #require(Self.row("h3", in: html))
        #expect(h3.contains("data-status=\"rolled_back\""))
        #expect(Self.phases(in: h3) == ["upload", "verify", "rollback"])
        #expect(h3.contains("<rect class=\"bar failed\" data-phase=\"verify\""))
        #expect(h3.contains("<rect class=\"bar rollback\" data-phase=\"rollback\""))
        #expect(h3.contains("<text class=\"error\""), "the reason beside the row")
        #expect(count("<tr class=\"host ", in: html) == 4, "the host table")
        #expect(html.contains("<td>h1 (canary)</td>"))
    }

    @Test("every journal string is escaped, and the file loads nothing from anywhere")
    func escapedAndSelfContained() async throws {
        let (store, id, directory) = try await journal()
        defer { try? FileManager.default.removeItem(at: directory) }
        let detail = try #require(try await store.rollout(id))
        for document in [RolloutReport.html(detail, now: at(100)), RolloutReport.svg(detail, now: at(100))] {
            #expect(!document.contains(hostile), "a host named <script> stays text")
            #expect(document.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!document.contains("<script"), "no script at all")
            let external = try Regex(#"(?i)(src|href)\s*=|url\(|@import|<link|<img|<iframe"#)
            #expect(document.firstMatch(of: external) == nil, "references nothing outside the file")
        }
        let svg = RolloutReport.svg(detail, now: at(100))
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(count("<g class=\"row host", in: svg) == 4)
    }

    @Test("1,000 hosts: one timeline row per batch plus the failed hosts, host tables folded per batch")
    func largeRolloutCollapses() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-report-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try JournalStore(path: directory.appendingPathComponent("state.db").path)
        let id = try await store.beginRollout(
            RolloutStart(
                inventory: "big", playbook: "web", version: "v2", previousVersion: "v1", strategy: nil,
                startedBy: ControllerIdentity(user: "ci", host: "runner", pid: 7, ciJob: nil), startedAt: t0))
        let names = (0..<1000).map { String(format: "web%04d", $0) }
        try await store.addHosts(
            names.enumerated().map { index, name in
                HostEntry(
                    name: name, address: nil, position: index, batch: index / 100, fromVersion: "v1", toVersion: "v2",
                    strategy: "hot")
            }, to: id, at: t0)
        for (index, name) in names.enumerated() {
            let start = at(Double(index / 100) * 10 + Double(index % 100) * 0.01)
            let phase = try await store.beginPhase(.restart, host: name, in: id, at: start)
            let failed = index == 555
            try await store.finishPhase(
                phase, outcome: failed ? .failed : .ok, error: failed ? "not ready" : nil,
                at: start.addingTimeInterval(2))
            try await store.setHostStatus(
                failed ? .failed : .succeeded, host: name, in: id, at: start.addingTimeInterval(2))
        }
        try await store.finishRollout(id, status: .partial, exitCode: 4, at: at(120))
        let detail = try #require(try await store.rollout(id))
        let html = RolloutReport.html(detail, now: at(200))
        #expect(count("<g class=\"row batch", in: html) == 10)
        #expect(count("<g class=\"row host", in: html) == 1)
        #expect(html.contains("data-host=\"web0555\" data-status=\"failed\""))
        #expect(count("<details", in: html) == 10 && count("<details open>", in: html) == 1, "the failed batch opens")
        #expect(count("<tr class=\"host ", in: html) == 1000, "every host is still in the tables")
        #expect(html.utf8.count < 1_000_000, "\(html.utf8.count) bytes")
    }

    /// The `<g>` of one host's timeline row.
    static func row(_ host: String, in text: String) -> String? {
        guard let start = text.range(of: "data-host=\"\(host)\" data-status") else { return nil }
        guard let end = text[start.upperBound...].range(of: "</g>") else { return nil }
        return String(text[start.lowerBound..<end.upperBound])
    }

    static func phases(in row: String) -> [String] {
        row.matches(of: /<rect class="bar [a-z_]+" data-phase="([a-z]+)"/).map { String($0.output.1) }
    }
}
