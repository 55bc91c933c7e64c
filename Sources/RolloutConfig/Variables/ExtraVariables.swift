/// `--var key=value` arguments: the highest variable precedence, as Ansible's extra vars.
public enum ExtraVariables {
    /// The variables given as `key=value`; values are strings. Throws a `ConfigError` (file `--var`) naming
    /// every malformed argument.
    public static func parse(_ arguments: [String]) throws -> [String: ConfigValue] {
        var vars: [String: ConfigValue] = [:]
        var problems: [ConfigError] = []
        for argument in arguments {
            guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else {
                problems.append(
                    ConfigError(.invalidValue, file: "--var", key: argument, message: "expected `key=value`"))
                continue
            }
            let key = String(argument[..<eq])
            guard Template.isDottedName(key), !key.contains(".") else {
                problems.append(
                    ConfigError(
                        .invalidValue, file: "--var", key: key,
                        message: "a variable name is letters, digits and `_`, starting with a letter or `_`"))
                continue
            }
            vars[key] = .string(String(argument[argument.index(after: eq)...]))
        }
        if let error = ConfigError.combine(problems) { throw error }
        return vars
    }
}
