/// Ansible's host ranges in inventory host names: `web[01:10]`, `db[a:c]`, `node[1:9:2]`.
enum HostPattern {
    struct Problem: Error {
        var message: String
    }

    /// Every host name a possibly ranged name stands for, in order; a plain name gives itself.
    static func expand(_ name: String) throws(Problem) -> [String] {
        guard !name.isEmpty else { throw Problem(message: "a host name must not be empty") }
        if name.containsWhitespace { throw Problem(message: "a host name must not contain spaces") }
        guard let open = name.firstIndex(of: "["), let close = name[open...].firstIndex(of: "]") else {
            if name.contains("]") { throw Problem(message: "`]` without `[` in host name") }
            return [name]
        }
        let head = String(name[..<open])
        let body = name[name.index(after: open)..<close]
        let tail = String(name[name.index(after: close)...])
        let rest = tail.isEmpty ? [""] : try expand(tail)
        let parts = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw Problem(message: "host range `[\(body)]` must be `[start:end]` or `[start:end:step]`")
        }
        let step = parts.count == 3 ? Int(parts[2]) : 1
        guard let step, step > 0 else { throw Problem(message: "host range step must be a positive integer") }
        var items: [String] = []
        if let start = Int(parts[0]), let end = Int(parts[1]) {
            guard start <= end else { throw Problem(message: "host range `[\(body)]` runs backwards") }
            let width = parts[0].count
            for n in stride(from: start, through: end, by: step) {
                let digits = String(n)
                items.append(String(repeating: "0", count: max(0, width - digits.count)) + digits)
            }
        } else if parts[0].count == 1, parts[1].count == 1, let a = parts[0].unicodeScalars.first,
            let b = parts[1].unicodeScalars.first, a.properties.isLowercase == b.properties.isLowercase,
            a.value <= b.value
        {
            for v in stride(from: a.value, through: b.value, by: step) {
                items.append(String(Character(Unicode.Scalar(v)!)))
            }
        } else {
            throw Problem(message: "host range `[\(body)]` must be numbers (`01:10`) or letters (`a:f`)")
        }
        return items.flatMap { item in rest.map { head + item + $0 } }
    }
}
