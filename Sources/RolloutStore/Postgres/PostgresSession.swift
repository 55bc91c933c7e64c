import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// One PostgreSQL connection, used by one task at a time (a transaction must not interleave with another task's
/// statements), opened on first use and again after the server dropped it.
actor PostgresSession {
    let location: PostgresLocation
    private var connection: PostgresConnection?
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var nextID = 0

    init(_ location: PostgresLocation) {
        self.location = location
    }

    /// A store dropped without ``close()`` (a command that read and returned) still closes its connection: the
    /// close runs on the connection's event loop, which keeps the connection alive until it is done.
    deinit {
        if let connection, !connection.isClosed {
            connection.close().whenComplete { _ in _ = connection }
        }
    }

    /// Runs `body` with the connection to itself, connecting first when needed.
    ///
    /// - Throws: ``JournalError`` `unreachable` when the server cannot be reached or refuses the login; `body`'s
    ///   error otherwise (after which a connection the server closed is dropped, to be opened again next time).
    func withConnection<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        await lock()
        defer { unlock() }
        let connection = try await connected()
        do {
            return try await body(connection)
        } catch {
            if connection.isClosed { self.connection = nil }
            throw error
        }
    }

    /// Closes the connection (waiting for whoever uses it).
    func close() async {
        await lock()
        defer { unlock() }
        try? await connection?.close()
        connection = nil
    }

    private func connected() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        nextID += 1
        do {
            let made = try await PostgresConnection.connect(
                configuration: try Self.configuration(location), id: nextID, logger: PostgresLog.logger)
            connection = made
            return made
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError(
                .unreachable, "cannot reach the journal \(location): \(PostgresLog.describe(error))")
        }
    }

    private func lock() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func unlock() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    static func configuration(_ location: PostgresLocation) throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: try tls(location))
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    private static func tls(_ location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch location.sslMode {
        case .disable: return .disable
        case .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let file = location.rootCertificate {
            tls.trustRoots = .file(file)
        }
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: tls) } catch {
            throw JournalError(.invalidLocation, "cannot set up TLS for \(location): \(error)")
        }
        return location.sslMode == .prefer ? .prefer(context) : .require(context)
    }
}

/// The PostgreSQL backend's logger (silent: errors reach the caller) and error wording.
enum PostgresLog {
    static let logger = Logger(label: "rollout.journal.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// What went wrong, in the server's words when it said something (`password authentication failed for user
    /// "ci"`), else the socket error; `PSQLError`'s own description hides both.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return message + state
        }
        if let underlying = error.underlying { return "\(underlying)" }
        return "\(error.code)"
    }

    /// The SQLSTATE of a server error (`23505`: unique violation).
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// True when the connection itself failed (server gone, restarted, network): the transaction did not commit
    /// (unless the failure came during COMMIT) and the work may be retried on a new connection.
    static func isConnectionLoss(_ error: any Error) -> Bool {
        if let error = error as? JournalError { return error.code == .unreachable }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .serverClosedConnection, .connectionError, .uncleanShutdown, .clientClosedConnection: return true
        case .server:
            // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 08xxx connection exceptions.
            let state = sqlState(error) ?? ""
            return state.hasPrefix("57P") || state.hasPrefix("08")
        default: return false
        }
    }
}
