/// Strict durations as written in playbooks: `500ms`, `30s`, `5m`, `1h30m`, `2h5m10s`.
///
/// Units must appear largest first, each at most once, with no spaces or signs; a bare number is rejected
/// (is `30` seconds or minutes?), with the likely intended text as the suggestion.
public enum ConfigDuration {
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]

    /// What a duration may look like, for error reports.
    public static let allowed = "a duration such as `500ms`, `30s`, `5m` or `1h30m`"

    /// The duration `text` stands for; throws a `ValueProblem` saying what is wrong and what is allowed.
    public static func parse(_ text: String) throws(ValueProblem) -> Duration {
        try check(text).get()
    }

    /// The duration `text` stands for, or why it does not stand for one.
    static func check(_ text: String) -> Result<Duration, ValueProblem> {
        guard !text.isEmpty else { return .failure(.value("a duration must not be empty (e.g. `30s`, `5m`)")) }
        if Int(text) != nil {
            return .failure(.value("a duration needs a unit: `\(text)s`, `\(text)m` or `\(text)h`"))
        }
        var rest = Substring(text)
        var total: Int64 = 0
        var nextUnit = 0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let number = Int64(digits) else {
                return .failure(.value("invalid duration `\(text)` (use e.g. `30s`, `5m`, `1h30m`, `500ms`)"))
            }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unitText.count)
            guard !unitText.isEmpty else {
                return .failure(.value("invalid duration `\(text)` (use e.g. `30s`, `5m`, `1h30m`, `500ms`)"))
            }
            guard let index = units.firstIndex(where: { $0.suffix == unitText }) else {
                return .failure(.value("unknown unit `\(unitText)` in `\(text)` (allowed: h, m, s, ms)"))
            }
            guard index >= nextUnit else {
                return .failure(.value("invalid duration `\(text)`: units go largest first, each once"))
            }
            nextUnit = index + 1
            let (product, overflow) = number.multipliedReportingOverflow(by: units[index].milliseconds)
            guard !overflow, total <= Int64.max - product else {
                return .failure(.value("duration `\(text)` is too long"))
            }
            total += product
        }
        return .success(.milliseconds(total))
    }

    /// The canonical text of a duration (`1h30m`, `45s`, `250ms`), as the plan prints it.
    public static func format(_ duration: Duration) -> String {
        var ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if ms == 0 { return "0s" }
        var text = ""
        for unit in units where ms >= unit.milliseconds {
            text += "\(ms / unit.milliseconds)\(unit.suffix)"
            ms %= unit.milliseconds
        }
        return text
    }
}

/// Strict byte sizes: a plain integer (bytes) or a number with `B`, `KB`, `MB`, `GB` (powers of 1000) or
/// `KiB`, `MiB`, `GiB` (powers of 1024).
public enum ConfigSize {
    private static let units: [String: Int64] = [
        "B": 1, "KB": 1_000, "MB": 1_000_000, "GB": 1_000_000_000,
        "KiB": 1_024, "MiB": 1_048_576, "GiB": 1_073_741_824,
    ]

    static func parse(_ value: ConfigValue) -> Result<Int64, ValueProblem> {
        switch value {
        case .int(let bytes) where bytes >= 0: return .success(Int64(bytes))
        case .string(let text):
            let digits = text.prefix { $0.isASCII && $0.isNumber }
            let unit = String(text.dropFirst(digits.count))
            guard !digits.isEmpty, let number = Int64(digits), let factor = units[unit] else {
                let allowed = units.keys.sorted().joined(separator: ", ")
                return .failure(.value("invalid size `\(text)` (a number of bytes, or a number with \(allowed))"))
            }
            let (product, overflow) = number.multipliedReportingOverflow(by: factor)
            return overflow ? .failure(.value("size `\(text)` is too large")) : .success(product)
        default:
            return .failure(.type("expected a size such as `200MB` or `1GiB`, found \(value.typeName)"))
        }
    }
}
