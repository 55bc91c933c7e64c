import Foundation
import RolloutTestSupport
import Testing

/// `deploy --html-report FILE` against real hosts and agents: the report is written at the end of every rollout,
/// succeeded or failed, and `rollout show ID --output html|svg` prints the same from the journal.
@Suite("deploy --html-report and show --output html", .serialized)
struct DeployReportTests {
    @Test("a succeeded and a failed rollout each leave their report; show prints the same page")
    func reportsAfterEveryRollout() throws {
        let fixture = try DeployFixture(hosts: 2)
        defer { fixture.stop() }
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)
        let report = fixture.project + "/report.html"

        let v1 = try fixture.deploy("v1", ["--html-report", report])
        #expect(v1.status == 0, "\(v1.stdout)\(v1.stderr)")
        let ok = try String(contentsOfFile: report, encoding: .utf8)
        #expect(ok.contains("<span class=\"status succeeded\" id=\"status\">succeeded</span>"))
        #expect(ok.components(separatedBy: "<g class=\"row host").count - 1 == 2, "a timeline row per host")
        #expect(!ok.contains("<section id=\"failures\">"))

        try fixture.stageCrashingRelease()
        let v2 = try fixture.deploy("v2", ["--html-report", report])
        #expect(v2.status != 0, "\(v2.stdout)\(v2.stderr)")
        let failed = try String(contentsOfFile: report, encoding: .utf8)
        #expect(failed.contains("<section id=\"failures\">"), "the failure is in the report")
        #expect(failed.contains("class=\"bar failed\""))
        #expect(failed.contains("<li class=\"failure\" data-host=\"h1\""), "\(failed)")

        let show = try fixture.rollout(["show", "2", "--output", "html"])
        #expect(show.status == 0)
        let strip = { (text: String) in text.replacing(/<footer>.*<\/footer>/, with: "") }
        #expect(strip(show.stdout) == strip(failed), "show --output html prints the report deploy wrote")
        let svg = try fixture.rollout(["show", "2", "--output", "svg"])
        #expect(svg.stdout.hasPrefix("<svg ") && svg.stdout.contains("class=\"bar failed\""))
        #expect(try fixture.rollout(["show", "99", "--output", "html"]).status == 2)
    }
}
