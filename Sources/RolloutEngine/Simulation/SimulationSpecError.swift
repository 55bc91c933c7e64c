/// A `--simulate` value that cannot be used; `key` names the offending key.
public struct SimulationSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let syntax = Code(rawValue: "simulate-syntax")
        public static let unknownKey = Code(rawValue: "simulate-unknown-key")
        public static let duplicateKey = Code(rawValue: "simulate-duplicate-key")
        public static let badValue = Code(rawValue: "simulate-bad-value")
    }

    public var code: Code
    public var key: String
    public var message: String

    public init(_ code: Code, key: String, _ message: String) {
        self.code = code
        self.key = key
        self.message = message
    }

    public var description: String { "--simulate: key `\(key)`: \(message)" }
}
