import Foundation
import Hummingbird
import RolloutJSON
import RolloutReport
import RolloutStore

/// `rollout serve`: a small read-only web app over the journal. Pages: `/` (history, filters `inventory`, `status`,
/// `version`), `/rollouts/ID` (the report; live progress while it runs), `/rollouts/ID/hosts/NAME` (a host's phases
/// with their details). JSON: `/api/rollouts` (same filters, `limit`), `/api/rollouts/ID` (as `rollout show --output
/// json`), `/api/rollouts/ID/events` (server-sent events fed by the journal). Only GET and HEAD: anything else is 405.
/// With a token every request needs `Authorization: Bearer TOKEN` or `?token=TOKEN`.
public struct RolloutServer: Sendable {
    public let journal: JournalStore
    public let token: String?
    /// How often the live feed reads the journal.
    public var pollInterval: Duration = .milliseconds(300)

    public init(journal: JournalStore, token: String?) {
        self.journal = journal
        self.token = token
    }

    /// Serves on `host:port` until SIGINT or SIGTERM.
    public func run(host: String, port: Int, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws
    {
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "rollout"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) })
        try await app.runService()
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(ReadOnlyGuard(token: token))
        router.get("/") { request, _ in try await history(request, html: true) }
        router.get("/api/rollouts") { request, _ in try await history(request, html: false) }
        router.get("/rollouts/:id") { _, context in
            let detail = try await rollout(context)
            return Self.html(ServePages.rollout(detail, token: token))
        }
        router.get("/rollouts/:id/hosts/:host") { _, context in
            let detail = try await rollout(context)
            let name = (context.parameters.get("host") ?? "").removingPercentEncoding ?? ""
            guard let host = detail.hosts.first(where: { $0.name == name }) else {
                throw HTTPError(.notFound, message: "rollout \(detail.id) has no host '\(name)'")
            }
            return Self.html(ServePages.host(host, of: detail, token: token))
        }
        router.get("/api/rollouts/:id") { _, context in
            let detail = try await rollout(context)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: detail.jsonText() + "\n")))
        }
        router.get("/api/rollouts/:id/events") { _, context in
            let first = try await rollout(context)
            let journal = journal
            let interval = pollInterval
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: .init { writer in
                    var feed = LiveFeed()
                    var detail: RolloutDetail? = first
                    while let current = detail {
                        for event in feed.events(for: current) {
                            try await writer.write(ByteBuffer(string: event.frame))
                        }
                        if feed.ended { break }
                        try await Task.sleep(for: interval)
                        detail = try await journal.rollout(current.id, includeJSON: false)
                    }
                    try await writer.finish(nil)
                })
        }
        return router
    }

    private func rollout(_ context: BasicRequestContext) async throws -> RolloutDetail {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), id > 0 else {
            throw HTTPError(.badRequest, message: "a rollout id is a positive number, got '\(text)'")
        }
        guard let detail = try await journal.rollout(id, includeJSON: true) else {
            throw HTTPError(.notFound, message: "rollout \(id) is not in the journal")
        }
        return detail
    }

    private func history(_ request: Request, html: Bool) async throws -> Response {
        let query = request.uri.queryParameters
        func value(_ key: String) -> String? {
            query.get(key).flatMap { $0.isEmpty ? nil : $0 }
        }
        var filter = ServePages.Filter(
            inventory: value("inventory"), status: value("status"), version: value("version"))
        if let limit = value("limit") {
            guard let number = Int(limit), (1...10_000).contains(number) else {
                throw HTTPError(.badRequest, message: "limit is 1 to 10000, got '\(limit)'")
            }
            filter.limit = number
        }
        let inventories = filter.inventory.map { [$0] }
        // Status and version filters are applied to the inventory's newest 10,000 rollouts; without them only the
        // page's worth is read.
        let unfiltered = filter.status == nil && filter.version == nil
        let rollouts = try await journal.history(inventories: inventories, limit: unfiltered ? filter.limit : 10_000)
            .filter(filter.matches).prefix(filter.limit)
        if html {
            let names = try await journal.inventoryNames()
            return Self.html(ServePages.history(Array(rollouts), filter: filter, inventories: names, token: token))
        }
        let body = try JSONValue.formatted(["rollouts": Array(rollouts)])
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func html(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Read-only and, with a token, authenticated: the first thing every request meets.
struct ReadOnlyGuard<Context: RequestContext>: RouterMiddleware {
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.method == .get || request.method == .head else {
            return Response(
                status: .methodNotAllowed, headers: [.allow: "GET, HEAD", .contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: "rollout serve is read-only: GET and HEAD only\n")))
        }
        if let token {
            let bearer = request.headers[.authorization].map { $0 == "Bearer \(token)" } ?? false
            let query = request.uri.queryParameters.get("token") == token
            guard bearer || query else {
                return Response(
                    status: .unauthorized, headers: [.wwwAuthenticate: "Bearer", .contentType: "text/plain"],
                    body: .init(byteBuffer: ByteBuffer(string: "a token is required: Authorization: Bearer TOKEN\n")))
            }
        }
        return try await next(request, context)
    }
}
