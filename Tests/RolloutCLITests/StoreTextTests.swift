import Foundation
import Testing

@testable import rollout

@Suite struct StoreTextTests {
    @Test func durations() {
        #expect(StoreText.duration(nil) == "-")
        #expect(StoreText.duration(.milliseconds(850)) == "850ms")
        #expect(StoreText.duration(.milliseconds(6500)) == "6.5s")
        #expect(StoreText.duration(.seconds(63)) == "1m03s")
        #expect(StoreText.duration(.seconds(2 * 3600 + 5 * 60 + 9)) == "2h05m")
    }

    @Test func tablesAlignColumnsWithoutTrailingSpaces() {
        let table = StoreText.table(["ID", "NAME", "NOTE"], [["1", "web-10", ""], ["22", "a", "x"]])
        #expect(table == "ID  NAME    NOTE\n1   web-10\n22  a       x")
    }

    @Test func times() {
        let date = Date(timeIntervalSince1970: 1_795_000_000.25)
        #expect(StoreText.when(date) == "2026-11-18 11:06:40Z")
        #expect(StoreText.clock(date) == "11:06:40.250")
    }
}
