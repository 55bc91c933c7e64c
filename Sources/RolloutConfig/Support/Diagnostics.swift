import Yams

/// Collects every problem found while reading one file, so that a user sees all of them at once.
final class Diagnostics {
    let file: String
    private(set) var errors: [ConfigError] = []

    init(file: String) {
        self.file = file
    }

    func report(
        _ code: ConfigError.Code, _ message: String, at node: Node? = nil, key: String? = nil,
        suggestion: String? = nil, found: String? = nil, allowed: String? = nil
    ) {
        report(
            code, message, line: node?.mark?.line, column: node?.mark?.column, key: key, suggestion: suggestion,
            found: found, allowed: allowed)
    }

    func report(
        _ code: ConfigError.Code, _ message: String, line: Int?, column: Int? = nil, key: String? = nil,
        suggestion: String? = nil, found: String? = nil, allowed: String? = nil
    ) {
        errors.append(
            ConfigError(
                code, file: file, line: line, column: column, key: key, message: message, suggestion: suggestion,
                found: found, allowed: allowed))
    }

    /// Reports a rejected value with what was found and what is allowed.
    func report(_ problem: ValueProblem, at node: Node?, key: String?, suggestion: String? = nil) {
        report(
            problem.code, problem.message, at: node, key: key, suggestion: suggestion, found: problem.found,
            allowed: problem.allowed)
    }

    /// Reports an unknown key, suggesting the closest allowed one and listing what is allowed.
    func unknownKey(_ key: String, at node: Node?, path: String? = nil, allowed: [String], what: String) {
        let list = allowed.map { "`\($0)`" }.joined(separator: ", ")
        report(
            .unknownKey, "unknown key in \(what) (allowed: \(list))", at: node, key: path ?? key,
            suggestion: Suggestion.closest(to: key, in: allowed), found: key, allowed: list)
    }

    var isEmpty: Bool { errors.isEmpty }

    func append(_ error: ConfigError) {
        errors.append(contentsOf: error.all)
    }

    /// Throws every collected problem as one `ConfigError` (see `ConfigError.others`).
    func throwIfAny() throws {
        if let error = ConfigError.combine(errors) { throw error }
    }
}
