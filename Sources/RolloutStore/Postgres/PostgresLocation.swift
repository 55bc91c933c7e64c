import Foundation

/// A PostgreSQL journal's connection settings: `postgres://[user[:password]@]host[:port]/database[?sslmode=MODE]`,
/// completed from the environment the way libpq does it, so that a CI job keeps the password in a secret:
///
/// - user: the URL's, else `PGUSER`, else the login name; database: the URL's path, else `PGDATABASE`, else the user;
///   port: the URL's, else `PGPORT`, else 5432;
/// - password: the URL's (discouraged: it shows in `ps`), else `PGPASSWORD`, else the first matching line of the
///   `.pgpass`-format file `PGPASSFILE` (default `~/.pgpass`; like libpq, only used when not readable by group or
///   others);
/// - TLS: `sslmode` in the URL, else `PGSSLMODE`, else `prefer` (see ``SSLMode``); `PGSSLROOTCERT` names the CA file
///   that `verify-ca` and `verify-full` trust (default: the system's).
///
/// The password is never part of ``description`` (which messages and the journal's `location` use).
public struct PostgresLocation: Sendable, CustomStringConvertible {
    /// libpq's `sslmode` values.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, without checking its certificate; plain TCP otherwise (libpq's default).
        case prefer
        /// TLS, without checking the certificate.
        case require
        /// TLS with a certificate signed by a trusted CA, any host name.
        case verifyCA = "verify-ca"
        /// TLS with a trusted certificate for this host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?
    public var sslMode: SSLMode
    /// `PGSSLROOTCERT`: a PEM file of CA certificates for `verify-ca`/`verify-full`.
    public var rootCertificate: String?

    /// Parses `url` and completes it from `environment`.
    ///
    /// - Throws: ``JournalError`` `invalid_location` naming what is wrong (scheme, host, port, `sslmode`, a
    ///   `.pgpass` file readable by others); the message never contains the password.
    public init(_ url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw JournalError(
                .invalidLocation,
                "--state \(Self.masked(url)): not a postgres://user@host:port/database URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw JournalError(.invalidLocation, "--state \(Self.masked(url)): no host; postgres://user@HOST:5432/db")
        }
        self.host = host
        if let port = components.port {
            self.port = port
        } else if let text = environment["PGPORT"], !text.isEmpty {
            guard let port = Int(text), (1...65535).contains(port) else {
                throw JournalError(.invalidLocation, "PGPORT=\(text) is not a port number")
            }
            self.port = port
        } else {
            self.port = 5432
        }
        let login = environment["USER"] ?? environment["LOGNAME"] ?? "postgres"
        user = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGUSER"] ?? login
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? (environment["PGDATABASE"] ?? user) : path
        var sslText = environment["PGSSLMODE"]
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode": sslText = item.value
            case "sslrootcert": rootCertificate = item.value
            default:
                throw JournalError(
                    .invalidLocation,
                    "--state \(Self.masked(url)): unknown parameter '\(item.name)'; known: sslmode, sslrootcert")
            }
        }
        if let sslText {
            guard let mode = SSLMode(rawValue: sslText) else {
                throw JournalError(
                    .invalidLocation,
                    "sslmode '\(sslText)' is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            sslMode = mode
        } else {
            sslMode = .prefer
        }
        rootCertificate = rootCertificate ?? environment["PGSSLROOTCERT"]
        if let password = components.password, !password.isEmpty {
            self.password = password
        } else if let password = environment["PGPASSWORD"] {
            self.password = password
        } else {
            let file =
                environment["PGPASSFILE"]
                ?? (environment["HOME"].map { $0 + "/.pgpass" } ?? NSHomeDirectory() + "/.pgpass")
            self.password = try PassFile.password(
                in: file, host: host, port: port, database: database, user: user,
                required: environment["PGPASSFILE"] != nil)
        }
    }

    /// `postgres://user@host:port/database`: the URL without its password.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// `url` with any password replaced by `***`, for messages about a URL that could not be parsed.
    static func masked(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound < at else {
            return url
        }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return url[..<colon] + ":***" + url[at...]
    }
}
