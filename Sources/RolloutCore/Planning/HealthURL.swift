import Foundation
import RolloutConfig

/// Checks that a health check's URL, after variable substitution, is one the checker can request.
enum HealthURL {
    /// Nil when `text` is an `http` URL with a host and a port in 1...65535 (if given), no user information and no
    /// fragment; otherwise what is wrong, phrased to follow "URL `...` for host h".
    static func problem(_ text: String) -> String? {
        if let scheme = schemeProblem(text) { return scheme }
        // Checked for every host of the rollout: the common plain form is read here, anything else by
        // Foundation, whose host check (IDNA through ICU) cost 20 MB and a tenth of the time for 10,000 hosts.
        if let simple = simplePort(text) {
            return simple.map { (1...65535).contains($0) } == false ? "has a port outside 1...65535" : nil
        }
        return foundationProblem(text)
    }

    /// What `problem` says, always through `URLComponents` (the reference for the plain form).
    static func foundationProblem(_ text: String) -> String? {
        if let scheme = schemeProblem(text) { return scheme }
        guard let components = URLComponents(string: text) else { return "does not parse as a URL" }
        guard let host = components.host, !host.isEmpty else { return "has no host" }
        if let port = components.port, !(1...65535).contains(port) { return "has a port outside 1...65535" }
        // The checker sends neither (it would connect to `user@host` and ask for `/path#fragment`).
        if components.user != nil || components.password != nil { return "has user information (`user@`)" }
        if components.fragment != nil { return "has a `#fragment`" }
        return nil
    }

    /// The checker requests `http://` exactly (lowercase, as the reader requires of a literal URL).
    private static func schemeProblem(_ text: String) -> String? {
        if text.hasPrefix("http://") { return nil }
        let scheme = text.prefix { $0 != ":" }.lowercased()
        if scheme == "https" { return "uses https: " + HealthCheckSpec.httpsUnsupported }
        return scheme == "http" ? "must start with `http://` in lowercase" : "must use http"
    }

    /// For `http://HOST[:PORT][/PATH][?QUERY]` with a host of plain DNS labels (letters, digits, inner single
    /// hyphens) and a path and query of unreserved characters, `.some(port)`; nil for any other form.
    static func simplePort(_ text: String) -> Int?? {
        let bytes = Array(text.utf8)
        guard bytes.starts(with: "http://".utf8) else { return nil }
        var i = 7
        let hostStart = i
        while i < bytes.count, !":/?".utf8.contains(bytes[i]) { i += 1 }
        guard isPlainHost(bytes[hostStart..<i]) else { return nil }
        var port: Int?
        if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
            i += 1
            let digitsStart = i
            while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { i += 1 }
            guard (1...5).contains(i - digitsStart) else { return nil }
            port = bytes[digitsStart..<i].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        guard i == bytes.count || bytes[i] == UInt8(ascii: "/") || bytes[i] == UInt8(ascii: "?") else { return nil }
        guard bytes[i...].allSatisfy(isPlainPathByte) else { return nil }
        return .some(port)
    }

    /// Dot-separated labels of 1 to 63 letters, digits and hyphens, no hyphen first, last or doubled
    /// (so no IDNA `xn--` label).
    private static func isPlainHost(_ host: ArraySlice<UInt8>) -> Bool {
        guard !host.isEmpty else { return false }
        for label in host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count), label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-")
            else { return false }
            var previous: UInt8 = 0
            for byte in label {
                guard isAlphanumeric(byte) || byte == UInt8(ascii: "-") else { return false }
                if byte == UInt8(ascii: "-") && previous == byte { return false }
                previous = byte
            }
        }
        return true
    }

    private static func isPlainPathByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || "-._~/?=&".utf8.contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
