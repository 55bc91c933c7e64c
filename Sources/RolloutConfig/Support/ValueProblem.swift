/// Why a value was rejected, before the caller adds where it was found (file, line, key).
public struct ValueProblem: Error, Equatable, CustomStringConvertible, Sendable {
    public var code: ConfigError.Code
    public var message: String
    /// The rejected value as written (see `ConfigError.found`).
    public var found: String?
    /// What would have been accepted (see `ConfigError.allowed`).
    public var allowed: String?

    public init(code: ConfigError.Code, message: String, found: String? = nil, allowed: String? = nil) {
        self.code = code
        self.message = message
        self.found = found
        self.allowed = allowed
    }

    public var description: String { message }

    static func type(_ message: String, found: String? = nil, allowed: String? = nil) -> ValueProblem {
        ValueProblem(code: .invalidType, message: message, found: found, allowed: allowed)
    }

    static func value(_ message: String, found: String? = nil, allowed: String? = nil) -> ValueProblem {
        ValueProblem(code: .invalidValue, message: message, found: found, allowed: allowed)
    }
}
