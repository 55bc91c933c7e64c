/// `ipvsadm -L -n` output: virtual services and their real servers, real-server columns read by the header's
/// names (`RemoteAddress:Port Forward Weight ActiveConn InActConn`).
public struct IPVSListing: Sendable, Equatable {
    public struct RealServer: Sendable, Equatable {
        public var address: String
        public var forward: String?
        public var weight: Int
        public var activeConnections: Int
        public var inactiveConnections: Int
    }

    public struct Service: Sendable, Equatable {
        /// `TCP`, `UDP` or `FWM`.
        public var protocolName: String
        public var address: String
        public var scheduler: String?
        public var realServers: [RealServer]
    }

    public var services: [Service]

    /// Parses the listing; throws when it has no real-server header (not `ipvsadm -L -n` output).
    public init(_ text: String) throws {
        var columns: [String]?
        var services: [Service] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = String(raw)
            let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = fields.first else { continue }
            if first == "->" {
                let values = Array(fields.dropFirst())
                if values.first == "RemoteAddress:Port" {
                    columns = values
                    continue
                }
                guard let columns, !services.isEmpty else {
                    throw GatewayError(.unreadableStatus, "`ipvsadm -L -n` listed a real server before its header: \(line)")
                }
                services[services.count - 1].realServers.append(try Self.realServer(values, columns: columns, line))
            } else if ["TCP", "UDP", "FWM", "SCTP"].contains(first), fields.count >= 2 {
                services.append(
                    Service(
                        protocolName: first, address: fields[1], scheduler: fields.count > 2 ? fields[2] : nil,
                        realServers: []))
            }
            // The version banner and the `Prot LocalAddress:Port Scheduler Flags` header carry nothing we need.
        }
        guard columns != nil else {
            throw GatewayError(
                .unreadableStatus,
                "`ipvsadm -L -n` printed no `-> RemoteAddress:Port ...` header: \(text.prefix(300))")
        }
        self.services = services
    }

    private static func realServer(_ values: [String], columns: [String], _ line: String) throws -> RealServer {
        func value(_ name: String) -> String? {
            columns.firstIndex(of: name).flatMap { values.indices.contains($0) ? values[$0] : nil }
        }
        guard let address = value("RemoteAddress:Port"), let weight = value("Weight").flatMap({ Int($0) }),
            let active = value("ActiveConn").flatMap({ Int($0) }),
            let inactive = value("InActConn").flatMap({ Int($0) })
        else {
            throw GatewayError(
                .unreadableStatus, "cannot read the real server line `\(line)` by the columns \(columns)")
        }
        return RealServer(
            address: address, forward: value("Forward"), weight: weight, activeConnections: active,
            inactiveConnections: inactive)
    }

    /// The real server `address` (as `ADDRESS:PORT`, IPv6 in brackets) of the service `protocolName address`.
    public func realServer(service: String, protocolName: String, address: String) -> RealServer? {
        services.first { $0.protocolName == protocolName.uppercased() && $0.address == service }?
            .realServers.first { $0.address == address }
    }
}
