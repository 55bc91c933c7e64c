/// Why a value was rejected, before the caller adds where it was found.
struct ValueProblem: Error, Equatable {
    var code: ConfigError.Code
    var message: String

    static func type(_ message: String) -> ValueProblem { ValueProblem(code: .invalidType, message: message) }
    static func value(_ message: String) -> ValueProblem { ValueProblem(code: .invalidValue, message: message) }
}
