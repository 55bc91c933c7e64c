import Foundation

/// A real headless Chromium (Debian's `chromium`) driven over the DevTools protocol: navigate to a page, evaluate
/// JavaScript in it, take a screenshot. The browser runs with a throw-away profile and is killed (with its helpers) by
/// `close()`. Only loopback and `file://` pages are opened by the tests.
///
/// The protocol runs over a WebSocket to the page target; this is a minimal client for it (text frames, masked as a
/// client must; server frames of any length; pings answered).
public final class HeadlessChromium {
    public let process: FixtureProcess
    private let profile: String
    private let connection: Int32
    private var nextID = 1

    public init() throws {
        let binary = try BuiltProducts.tool("chromium")
        profile = "/tmp/rollout-chromium-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        process = try FixtureProcess(
            executable: binary,
            arguments: [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--remote-debugging-port=0", "--remote-allow-origins=*",
                "--user-data-dir=\(profile)", "--window-size=1280,1000", "about:blank",
            ],
            environment: ["PATH": "/usr/bin:/bin", "HOME": profile])
        // Chromium writes the port it picked into the profile.
        var port: Int?
        let deadline = ContinuousClock.now + .seconds(60)
        while port == nil && ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: "\(profile)/DevToolsActivePort", encoding: .utf8) {
                port = text.split(separator: "\n").first.flatMap { Int($0) }
            }
            if process.status != nil { break }
            if port == nil { usleep(50_000) }
        }
        guard let port else {
            process.signal(SIGKILL)
            throw TestSupportError("chromium did not open its DevTools port: \(process.output)")
        }
        var target: String?
        while target == nil && ContinuousClock.now < deadline {
            let list = try? HTTPTestClient.get(.loopback(host: "127.0.0.1", port: port), "/json/list")
            if let body = list?.body,
                let targets = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]]
            {
                target = targets.first { $0["type"] as? String == "page" }?["webSocketDebuggerUrl"] as? String
            }
            if target == nil { usleep(50_000) }
        }
        guard let target, let path = URL(string: target)?.path, !path.isEmpty else {
            process.signal(SIGKILL)
            throw TestSupportError("chromium has no page target")
        }
        connection = try Self.connectWebSocket(port: port, path: path)
    }

    deinit { close() }

    /// Kills the browser and everything it started; removes the profile.
    public func close() {
        if process.status == nil {
            let helpers = ProcessTree.descendants(of: process.pid)
            process.signal(SIGKILL)
            helpers.forEach { kill($0, SIGKILL) }
            _ = try? process.waitForExit(timeout: .seconds(10))
        }
        Glibc.close(connection)
        try? FileManager.default.removeItem(atPath: profile)
    }

    /// Opens `url` and waits until the document has loaded.
    public func navigate(_ url: String, timeout: Duration = .seconds(30)) throws {
        _ = try call("Page.navigate", ["url": url])
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? evaluate("document.readyState")) as? String == "complete",
                (try? evaluate("location.href")) as? String != "about:blank"
            {
                return
            }
            usleep(50_000)
        }
        throw TestSupportError("\(url) did not load within \(timeout)")
    }

    /// The value of `expression` evaluated in the page (strings, numbers, booleans, null).
    public func evaluate(_ expression: String) throws -> Any? {
        let result = try call("Runtime.evaluate", ["expression": expression, "returnByValue": true])
        let inner = result["result"] as? [String: Any]
        if let exception = result["exceptionDetails"] { throw TestSupportError("\(expression): \(exception)") }
        return inner?["value"]
    }

    /// A PNG of the page as it is drawn now, written to `path`.
    public func screenshot(to path: String) throws {
        let result = try call("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true])
        guard let text = result["data"] as? String, let data = Data(base64Encoded: text) else {
            throw TestSupportError("no screenshot data")
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Sends one protocol command and returns its `result` (events that arrive meanwhile are skipped).
    private func call(_ method: String, _ params: [String: Any]) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        let message = try JSONSerialization.data(withJSONObject: ["id": id, "method": method, "params": params])
        try sendFrame(opcode: 0x1, Array(message))
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let (opcode, payload) = try receiveFrame()
            if opcode == 0x9 {  // ping
                try sendFrame(opcode: 0xA, payload)
                continue
            }
            guard opcode == 0x1,
                let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
                object["id"] as? Int == id
            else { continue }
            if let error = object["error"] { throw TestSupportError("\(method): \(error)") }
            return object["result"] as? [String: Any] ?? [:]
        }
        throw TestSupportError("\(method): no answer")
    }

    // MARK: - WebSocket

    private static func connectWebSocket(port: Int, path: String) throws -> Int32 {
        let address = LocalAddress.loopback(host: "127.0.0.1", port: port)
        let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0, try address.withSockaddr({ Glibc.connect(fd, $0, $1) }) == 0 else {
            throw TestSupportError("connect to chromium's DevTools port \(port): \(String(cString: strerror(errno)))")
        }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try writeAll(fd, Array(request.utf8))
        var header: [UInt8] = []
        while !header.ends(with: [13, 10, 13, 10]) {
            var byte: UInt8 = 0
            guard read(fd, &byte, 1) == 1 else { throw TestSupportError("websocket handshake: connection closed") }
            header.append(byte)
        }
        let text = String(decoding: header, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 101") else { throw TestSupportError("websocket handshake: \(text)") }
        return fd
    }

    private func sendFrame(opcode: UInt8, _ payload: [UInt8]) throws {
        var frame: [UInt8] = [0x80 | opcode]
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            frame += (0..<8).reversed().map { UInt8((UInt64(payload.count) >> (UInt64($0) * 8)) & 0xFF) }
        }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try Self.writeAll(connection, frame)
    }

    private func receiveFrame() throws -> (opcode: UInt8, payload: [UInt8]) {
        var message: [UInt8] = []
        var firstOpcode: UInt8 = 0
        while true {
            let head = try readExactly(2)
            let fin = head[0] & 0x80 != 0
            let opcode = head[0] & 0x0F
            var length = UInt64(head[1] & 0x7F)
            if length == 126 {
                length = try readExactly(2).reduce(0) { $0 << 8 | UInt64($1) }
            } else if length == 127 {
                length = try readExactly(8).reduce(0) { $0 << 8 | UInt64($1) }
            }
            let mask = head[1] & 0x80 != 0 ? try readExactly(4) : nil
            var payload = try readExactly(Int(length))
            if let mask { payload = payload.enumerated().map { $0.element ^ mask[$0.offset % 4] } }
            if opcode != 0 { firstOpcode = opcode }
            message += payload
            if opcode == 0x8 { throw TestSupportError("chromium closed the DevTools connection") }
            if fin { return (firstOpcode, message) }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = bytes[offset...].withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw TestSupportError("DevTools connection closed") }
            offset += n
        }
        return bytes
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw TestSupportError("DevTools connection: write failed") }
            offset += n
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
