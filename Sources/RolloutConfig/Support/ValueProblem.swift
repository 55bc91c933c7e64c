/// Why a value was rejected, before the caller adds where it was found (file, line, key).
public struct ValueProblem: Error, Equatable, CustomStringConvertible, Sendable {
    public var code: ConfigError.Code
    public var message: String

    public init(code: ConfigError.Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func type(_ message: String) -> ValueProblem { ValueProblem(code: .invalidType, message: message) }
    static func value(_ message: String) -> ValueProblem { ValueProblem(code: .invalidValue, message: message) }
}
