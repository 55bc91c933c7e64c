/// A response of the demo service: always a complete body with its `Content-Length`.
struct HTTPResponse {
    var status: Int
    var headers: [(String, String)] = []
    var body: String

    static func plain(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, body: body)
    }

    /// The bytes on the wire. `Connection` says whether the server keeps the connection open.
    func serialized(keepAlive: Bool, http10: Bool, includeBody: Bool) -> [UInt8] {
        let bodyBytes = Array(body.utf8)
        var text = "\(http10 ? "HTTP/1.0" : "HTTP/1.1") \(status) \(Self.reason(status))\r\n"
        text += "Content-Type: text/plain; charset=utf-8\r\n"
        text += "Content-Length: \(bodyBytes.count)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "Connection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
        return Array(text.utf8) + (includeBody ? bodyBytes : [])
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 411: "Length Required"
        case 431: "Request Header Fields Too Large"
        default: "Status \(status)"
        }
    }
}
