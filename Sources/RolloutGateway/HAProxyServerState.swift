import Foundation

/// One server's row of `show servers state BACKEND`, read by the header line's column names.
public struct HAProxyServerState: Sendable, Equatable {
    /// `srv_admin_state` bits (HAProxy's `SRV_ADMF_*`).
    public struct AdminState: OptionSet, Sendable, Equatable {
        public var rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Forced maintenance (`set server ... state maint`).
        public static let forcedMaint = AdminState(rawValue: 0x01)
        /// Maintenance inherited from a tracked server.
        public static let inheritedMaint = AdminState(rawValue: 0x02)
        /// Maintenance from the configuration (`disabled`).
        public static let configMaint = AdminState(rawValue: 0x04)
        /// Forced drain (`set server ... state drain`).
        public static let forcedDrain = AdminState(rawValue: 0x08)
        /// Drain inherited from a tracked server.
        public static let inheritedDrain = AdminState(rawValue: 0x10)
        /// Drain from the configuration (`weight 0`).
        public static let configDrain = AdminState(rawValue: 0x20)
        /// Maintenance because DNS resolution failed.
        public static let resolutionMaint = AdminState(rawValue: 0x40)
        /// Maintenance because the address is not resolved yet.
        public static let hostnameMaint = AdminState(rawValue: 0x80)

        static let anyMaint: AdminState = [
            .forcedMaint, .inheritedMaint, .configMaint, .resolutionMaint, .hostnameMaint,
        ]
        static let anyDrain: AdminState = [.forcedDrain, .inheritedDrain, .configDrain]
    }

    public var backend: String
    public var server: String
    public var address: String?
    public var admin: AdminState
    /// `srv_op_state`: 0 stopped, 1 starting, 2 running, 3 stopping.
    public var operational: Int

    /// Maintenance first (it wins over drain in HAProxy too), then drain, else in rotation.
    public var state: GatewayServerState {
        if !admin.isDisjoint(with: .anyMaint) { return .out }
        if !admin.isDisjoint(with: .anyDrain) { return .draining }
        return .inRotation
    }

    /// `admin=drain op=running` and the like, for reports.
    public var detail: String {
        var words: [String] = []
        if admin.contains(.forcedMaint) { words.append("maint") }
        if admin.contains(.configMaint) { words.append("maint(config)") }
        if admin.contains(.inheritedMaint) { words.append("maint(tracked)") }
        if !admin.isDisjoint(with: [.resolutionMaint, .hostnameMaint]) { words.append("maint(dns)") }
        if admin.contains(.forcedDrain) { words.append("drain") }
        if admin.contains(.configDrain) { words.append("drain(config)") }
        if admin.contains(.inheritedDrain) { words.append("drain(tracked)") }
        let op = ["stopped", "starting", "running", "stopping"]
        let opText = op.indices.contains(operational) ? op[operational] : "op\(operational)"
        return "admin=\(words.isEmpty ? "ready" : words.joined(separator: "+")) op=\(opText)"
    }

    /// The row for `server` in the answer to `show servers state BACKEND`; nil when the backend has no such server.
    /// Throws when the answer is an error or has no header line.
    public static func parse(_ answer: String, backend: String, server: String) throws -> HAProxyServerState? {
        let lines = answer.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first(where: { $0.hasPrefix("# ") }) else {
            throw HAProxyAnswer.error(answer, command: "show servers state \(backend)", backend: backend, server: server)
        }
        let names = header.dropFirst(2).split(separator: " ").map(String.init)
        func index(_ name: String) throws -> Int {
            guard let i = names.firstIndex(of: name) else {
                throw GatewayError(
                    .rejected, "HAProxy's `show servers state` has no `\(name)` column (header: \(header))")
            }
            return i
        }
        let (be, sv, admin, op) = try (
            index("be_name"), index("srv_name"), index("srv_admin_state"), index("srv_op_state")
        )
        let addr = names.firstIndex(of: "srv_addr")
        for line in lines where !line.hasPrefix("#") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > max(be, sv, admin, op), fields[be] == backend, fields[sv] == server else { continue }
            guard let adminBits = Int(fields[admin]), let opState = Int(fields[op]) else {
                throw GatewayError(.rejected, "HAProxy's server state row for \(backend)/\(server) is unreadable: \(line)")
            }
            return HAProxyServerState(
                backend: backend, server: server, address: addr.map { fields[$0] }, admin: AdminState(rawValue: adminBits),
                operational: opState)
        }
        return nil
    }
}

/// Reading HAProxy's answers: errors become `GatewayError`s naming the backend and server.
enum HAProxyAnswer {
    static func error(_ answer: String, command: String, backend: String, server: String) -> GatewayError {
        let text = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        let shown = text.isEmpty ? "an empty answer" : "`\(text.prefix(300))`"
        let lower = text.lowercased()
        if lower.contains("no such server") || lower.contains("no such backend")
            || lower.contains("can't find backend")
        {
            return GatewayError(
                .unknownServer,
                "HAProxy does not know server \(backend)/\(server) (it answered \(shown) to `\(command)`); "
                    + "check `backend` and `server` in the playbook's gateway against the HAProxy configuration")
        }
        if lower.contains("permission denied") || lower.contains("unknown command") {
            return GatewayError(
                .rejected,
                "HAProxy refused `\(command)` for \(backend)/\(server): \(shown); the admin socket needs "
                    + "`stats socket PATH level admin`")
        }
        return GatewayError(.rejected, "HAProxy answered \(shown) to `\(command)` for \(backend)/\(server)")
    }
}
