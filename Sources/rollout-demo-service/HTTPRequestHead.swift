/// The request line and headers of one HTTP/1.x request.
struct HTTPRequestHead {
    var method: String
    /// The request target as sent: path plus optional `?query`.
    var target: String
    /// True for `HTTP/1.0` (close by default), false for `HTTP/1.1` (keep-alive by default).
    var isHTTP10: Bool
    /// Header names lowercased, values trimmed, in the order received.
    var headers: [(name: String, value: String)]

    /// The largest request head accepted; a longer one is answered 431 and the connection closed.
    static let maximumSize = 16 * 1024

    enum ParseResult {
        case incomplete
        case invalid(String)
        /// The head is longer than `maximumSize` (answered with 431).
        case tooLarge
        /// The head and the number of bytes it took, including the blank line.
        case complete(HTTPRequestHead, Int)
    }

    /// Parses a request head at the start of `bytes`, which may hold more (the body, or the next
    /// pipelined request).
    static func parse(_ bytes: ArraySlice<UInt8>) -> ParseResult {
        let end = headEnd(bytes)
        if (end ?? bytes.endIndex) - bytes.startIndex > maximumSize { return .tooLarge }
        guard let end else { return .incomplete }
        let text = String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        // Tolerate blank lines before the request line (RFC 9112 section 2.2).
        while lines.first == "" { lines.removeFirst() }
        guard let requestLine = lines.first else { return .invalid("empty request") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            return .invalid("malformed request line '\(requestLine.prefix(80))'")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return .invalid("malformed header line") }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            headers.append((name, value))
        }
        let head = HTTPRequestHead(
            method: String(parts[0]), target: String(parts[1]), isHTTP10: parts[2] == "HTTP/1.0", headers: headers)
        return .complete(head, end + 4 - bytes.startIndex)
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// Whether the client wants the connection kept open after this request.
    var wantsKeepAlive: Bool {
        let tokens = (header("connection") ?? "").lowercased().split(separator: ",").map {
            String($0).trimmingCharacters(in: " \t")
        }
        if tokens.contains("close") { return false }
        return isHTTP10 ? tokens.contains("keep-alive") : true
    }

    /// The body length announced by `Content-Length` (0 without it), or nil when it is not a
    /// valid number or the body is chunked, which this service does not accept.
    var contentLength: Int? {
        if header("transfer-encoding") != nil { return nil }
        guard let value = header("content-length") else { return 0 }
        guard let length = Int(value), length >= 0 else { return nil }
        return length
    }

    /// The path part of the target, without the query.
    var path: String {
        String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
    }

    /// The value of `name` in the query string, if present.
    func queryValue(_ name: String) -> String? {
        guard let query = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if keyValue[0] == name { return keyValue.count > 1 ? String(keyValue[1]) : "" }
        }
        return nil
    }

    private static func headEnd(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var index = bytes.startIndex
        while index + 3 < bytes.endIndex {
            if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
                return index
            }
            index += 1
        }
        return nil
    }
}

extension StringProtocol {
    /// The string without leading and trailing characters from `set` (no Foundation needed).
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
