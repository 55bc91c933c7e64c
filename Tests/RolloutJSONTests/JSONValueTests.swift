import Foundation
import RolloutJSON
import Testing

/// One value type, one writer, one parser: what is written reads back as the same value, in both layouts, and the
/// pretty layout is the one every document of rollout has.
@Suite struct JSONValueTests {
    static let sample = JSONValue.object([
        "int": .int(-9_223_372_036_854_775_807), "double": .double(1.25), "exp": .double(2.5e-7),
        "text": .string("quote \" backslash \\ slash / tab \t newline \n é 🚀 \u{1} \u{8} \u{c}"),
        "nested": .array([.null, .bool(true), .bool(false), .object([:]), .array([]), .string("")]),
        "big": .double(1e300),
    ])

    @Test func compactAndPrettyTextParseBackToTheSameValue() throws {
        #expect(try JSONValue(parsing: Self.sample.compactText()) == Self.sample)
        #expect(try JSONValue(parsing: Self.sample.formatted()) == Self.sample)
        #expect(
            try JSONValue(parsing: " [1, 2.0e0 ,\"\\u00e9\\ud83d\\ude80\"] ")
                == .array([.int(1), .double(2), .string("é🚀")]))
    }

    @Test func foundationReadsWhatTheWriterWrites() throws {
        let text = Self.sample.formatted()
        let decoded = try JSONValue.decode(JSONValue.self, from: Data(text.utf8))
        #expect(decoded == Self.sample)
        let object = try JSONSerialization.jsonObject(with: Data(Self.sample.compactText().utf8)) as? [String: Any]
        #expect(object?["text"] as? String == "quote \" backslash \\ slash / tab \t newline \n é 🚀 \u{1} \u{8} \u{c}")
    }

    @Test func layout() throws {
        let value = JSONValue.object(["b": .array([.int(1), .object([:])]), "a": .string("x/y"), "c": .array([])])
        #expect(
            value.formatted() == """
                {
                  "a": "x/y",
                  "b": [
                    1,
                    {}
                  ],
                  "c": []
                }

                """)
        #expect(try value.compactText() == #"{"a":"x/y","b":[1,{}],"c":[]}"#)
        #expect(try JSONValue.string("\u{1}\"\\\n").compactText() == #""\u0001\"\\\n""#)
    }

    @Test func codableTypesGoThroughTheSameWriter() throws {
        struct Message: Codable, Equatable {
            var outcome: String
            var pid: Int?
            var durationMs: Double
        }
        let message = Message(outcome: "ok", pid: nil, durationMs: 0.5)
        #expect(try JSONValue.compactText(of: message) == #"{"durationMs":0.5,"outcome":"ok"}"#)
        #expect(try JSONValue(encoding: message).decode(as: Message.self) == message)
    }

    @Test func nonFiniteNumbersCannotBeWritten() {
        #expect(throws: JSONError.self) { _ = try JSONValue.double(.infinity).compactText() }
        #expect(JSONValue.array([.double(.nan)]).formatted() == "[\n  null\n]\n")
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "1 2", "{\"a\":1,}", "-", "\"\\x\""])
    func invalidTextIsRefusedWithItsOffset(text: String) {
        #expect(throws: JSONError.self) { _ = try JSONValue(parsing: text) }
    }
}
