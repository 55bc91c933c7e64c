import Foundation

/// Checks that a health check's URL, after variable substitution, is one the checker can request.
enum HealthURL {
    /// Nil when `text` is an `http`/`https` URL with a host and a port in 1...65535 (if given);
    /// otherwise what is wrong, phrased to follow "URL `...` for host h".
    static func problem(_ text: String) -> String? {
        guard let components = URLComponents(string: text) else { return "does not parse as a URL" }
        guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return "must use http or https"
        }
        // `host` decodes percent escapes and IDNA through ICU, which costs time and memory for every host
        // of a large fleet; a plain ASCII host is the same either way.
        let encoded = components.percentEncodedHost
        let plain = encoded.map { $0.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "%") } } ?? false
        let host = plain ? encoded : components.host
        guard let host, !host.isEmpty else { return "has no host" }
        if let port = components.port, !(1...65535).contains(port) { return "has a port outside 1...65535" }
        return nil
    }
}
