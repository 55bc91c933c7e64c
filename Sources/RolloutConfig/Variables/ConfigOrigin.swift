/// Where a value was written: file, line, column and the key's dotted path.
public struct ConfigOrigin: Sendable, Equatable, Hashable {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var key: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, key: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
    }

    /// A `ConfigError` located here.
    public func error(
        _ code: ConfigError.Code, _ message: String, suggestion: String? = nil, found: String? = nil,
        allowed: String? = nil
    ) -> ConfigError {
        ConfigError(
            code, file: file, line: line, column: column, key: key, message: message, suggestion: suggestion,
            found: found, allowed: allowed)
    }
}
