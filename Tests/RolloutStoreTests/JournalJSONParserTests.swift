import Foundation
import Testing

@testable import RolloutStore

/// The one-pass parser of stored JSON gives the values the encoder wrote, and refuses what is not JSON.
@Suite struct JournalJSONParserTests {
    @Test func storedTextParsesBackToTheSameValue() throws {
        let value = JournalJSON.object([
            "int": .int(-9_223_372_036_854_775_807), "double": .double(1.25), "exp": .double(2.5e-7),
            "text": .string("quote \" backslash \\ slash / tab \t newline \n é 🚀 \u{1}"),
            "nested": .array([.null, .bool(true), .bool(false), .object([:]), .array([]), .string("")]),
            "big": .double(1e300),
        ])
        #expect(try JournalJSON(text: value.text()) == value)
        #expect(try JournalJSON(text: " [1, 2.0e0 ,\"\\u00e9\\ud83d\\ude80\"] ") == .array([.int(1), .double(2), .string("é🚀")]))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "1 2", "{\"a\":1,}", "-", "\"\\x\""])
    func invalidTextIsACorruptValue(text: String) {
        #expect(throws: JournalError.self) { _ = try JournalJSON(text: text) }
    }
}
