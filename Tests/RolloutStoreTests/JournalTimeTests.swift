import Foundation
import RolloutStore
import Testing

@Suite struct JournalTimeTests {
    @Test func formatsUTCWithMilliseconds() {
        #expect(JournalTime.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(JournalTime.string(from: Date(timeIntervalSince1970: 1_795_000_000.250)) == "2026-11-18T11:06:40.250Z")
        #expect(JournalTime.string(from: Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
        #expect(JournalTime.string(from: Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
    }

    @Test func agreesWithFoundationAndRoundTrips() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let ms = Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let text = JournalTime.string(from: date)
            #expect(formatter.date(from: text).map(JournalTime.milliseconds) == ms, "\(text)")
            #expect(JournalTime.date(from: text) == date, "\(text)")
        }
    }

    @Test func rejectsOtherForms() {
        for text in [
            "2026-11-18T07:46:40Z", "2026-11-18 07:46:40.250Z", "2026-02-30T00:00:00.000Z",
            "2026-13-01T00:00:00.000Z", "2026-11-18T24:00:00.000Z", "2026-11-18T07:46:40.250+00:00", "",
        ] {
            #expect(JournalTime.date(from: text) == nil, "\(text)")
        }
    }
}
