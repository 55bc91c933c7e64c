extension DemoServer {
    /// The longest `/slow` delay honoured, so a typo cannot pin a thread for hours.
    static let maximumSlowMilliseconds = 120_000

    /// Answers one request. `/slow` blocks the connection's thread for the requested time.
    func response(for head: HTTPRequestHead) -> HTTPResponse {
        guard head.method == "GET" || head.method == "HEAD" else {
            return HTTPResponse(status: 405, headers: [("Allow", "GET, HEAD")], body: "method not allowed\n")
        }
        switch head.path {
        case "/":
            return identityResponse()
        case "/health":
            // The identity headers let a readiness probe through the shared listener tell which generation
            // answered (the agent's `pid_header`) and a health check which version serves.
            return HTTPResponse(status: 200, headers: identityHeaders, body: "ok")
        case "/slow":
            let requested = head.queryValue("ms").flatMap { Int($0) } ?? 1000
            sleepMilliseconds(min(max(requested, 0), Self.maximumSlowMilliseconds))
            return identityResponse()
        default:
            return HTTPResponse.plain(404, "not found: \(head.path)\n")
        }
    }

    /// `version=<v> pid=<pid>` (plus `message=` when a message file is configured), with the same
    /// facts in `X-Version` and `X-Pid` so load generators need not parse the body.
    private func identityResponse() -> HTTPResponse {
        var body = "version=\(version) pid=\(pid)\n"
        if let message = currentMessage { body += "message=\(message)\n" }
        return HTTPResponse(status: 200, headers: identityHeaders, body: body)
    }

    private var identityHeaders: [(String, String)] { [("X-Version", version), ("X-Pid", "\(pid)")] }
}
