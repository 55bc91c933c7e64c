import Glibc

/// The demo service's configuration file (`--config FILE`), the kind of file a config-only rollout pushes:
///
/// ```
/// # comments and blank lines are ignored
/// message = Hello from web3
/// ```
///
/// Every other line is `key = value`; `message` is required and the only key. Anything else (an unknown
/// key, a line without `=`, a key given twice) makes the whole file invalid, so that `--check-config FILE`
/// (the validation command, like `nginx -t -c FILE`) and a reload agree on what is acceptable.
struct DemoConfig: Equatable {
    var message: String

    static let keys = ["message"]

    /// The configuration in `text`, or why it is invalid (with the line number).
    static func parse(_ text: String) -> Result<DemoConfig, DemoConfigError> {
        var values: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingBlanks
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                return .failure(DemoConfigError(line: index + 1, message: "expected `key = value`, found `\(line)`"))
            }
            let key = String(line[..<equals]).trimmingBlanks
            let value = String(line[line.index(after: equals)...]).trimmingBlanks
            guard keys.contains(key) else {
                return .failure(
                    DemoConfigError(line: index + 1, message: "unknown key `\(key)` (allowed: \(keys.joined()))"))
            }
            guard values[key] == nil else {
                return .failure(DemoConfigError(line: index + 1, message: "`\(key)` is given twice"))
            }
            values[key] = value
        }
        guard let message = values["message"] else {
            return .failure(DemoConfigError(line: nil, message: "`message` is required"))
        }
        return .success(DemoConfig(message: message))
    }

    /// Reads and parses the file at `path`.
    static func load(_ path: String) -> Result<DemoConfig, DemoConfigError> {
        guard let bytes = readFile(path) else {
            return .failure(
                DemoConfigError(line: nil, message: "cannot read \(path): \(String(cString: strerror(errno)))"))
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(DemoConfigError(line: nil, message: "not UTF-8 text"))
        }
        return parse(text)
    }
}

/// Why a configuration file was rejected.
struct DemoConfigError: Error, Equatable, CustomStringConvertible {
    var line: Int?
    var message: String

    var description: String { (line.map { "line \($0): " } ?? "") + message }
}

/// The bytes of a file, or nil with `errno` set.
func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count <= 0 { break }
        bytes += chunk[0..<count]
    }
    return bytes
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and carriage returns.
    fileprivate var trimmingBlanks: String {
        let blanks: Set<Character> = [" ", "\t", "\r"]
        guard let first = firstIndex(where: { !blanks.contains($0) }),
            let last = lastIndex(where: { !blanks.contains($0) })
        else { return "" }
        return String(self[first...last])
    }
}
