import Foundation

/// A minimal HTTP/1.1 client for tests: one connection to a local address, requests sent one
/// after another on it, so a test can check keep-alive and `Connection: close` behaviour.
public final class HTTPTestClient {
    /// A complete response. Header names are lowercased.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
        /// The server announced it closes the connection after this response.
        public var closes: Bool
    }

    private let connection: LoadConnection
    private let address: LocalAddress
    private let timeout: Duration

    /// Connects to `address` (`127.0.0.0/8` or a Unix socket only).
    public init(_ address: LocalAddress, timeout: Duration = .seconds(10)) throws {
        if case .loopback(let host, let port) = address {
            _ = try LocalAddress.validatedLoopback(host: host, port: port)
        }
        self.address = address
        self.timeout = timeout
        do {
            connection = try LoadConnection(to: address, deadline: .now + timeout)
        } catch {
            throw TestSupportError("connect \(address): \(error)")
        }
    }

    /// Sends `method path` with `headers` (and `body`, with its `Content-Length`) and reads the
    /// whole response.
    public func request(
        _ path: String, method: String = "GET", headers: [String: String] = [:], body: String? = nil
    ) throws -> Response {
        let deadline = ContinuousClock.now + timeout
        do {
            try connection.send(
                Array(requestText(path, method: method, headers: headers, body: body).utf8), deadline: deadline)
            let response = try connection.receiveResponse(deadline: deadline, hasBody: method != "HEAD")
            return Response(
                status: response.status, headers: response.headers,
                body: String(decoding: response.body, as: UTF8.self), closes: response.closes)
        } catch {
            throw TestSupportError("\(method) \(path) on \(address): \(error)")
        }
    }

    /// Sends `method path` and returns without reading the answer: a request held open (`/slow`) for as long as
    /// the server takes. `isClosedByServer` turns true once the answer (or the close) arrives.
    public func send(_ path: String, method: String = "GET") throws {
        do {
            try connection.send(
                Array(requestText(path, method: method, headers: [:], body: nil).utf8), deadline: .now + timeout)
        } catch {
            throw TestSupportError("\(method) \(path) on \(address): \(error)")
        }
    }

    /// The connection's own (client side) port, as a server or proxy lists the connection.
    public var localPort: Int? { LoadConnection.localPort(connection.fd, peer: false).map(Int.init) }

    private func requestText(_ path: String, method: String, headers: [String: String], body: String?) -> String {
        var headers = headers
        if let body { headers["Content-Length"] = "\(body.utf8.count)" }
        let host: String = if case .loopback(let host, let port) = address { "\(host):\(port)" } else { "localhost" }
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        return text + "\r\n" + (body ?? "")
    }

    /// Whether the server has closed the connection (EOF waiting), checked without blocking.
    public var isClosedByServer: Bool { connection.isClosedByPeer }

    /// One request on a fresh connection, closed afterwards.
    public static func get(_ address: LocalAddress, _ path: String, timeout: Duration = .seconds(10)) throws -> Response
    {
        try HTTPTestClient(address, timeout: timeout).request(path)
    }
}
