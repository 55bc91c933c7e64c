import Foundation
import Yams

extension AgentConfig {
    /// Reads and validates the YAML file at `path`.
    ///
    /// Errors have code `config.invalid` and name the file, the key path and, for YAML syntax errors,
    /// the line.
    public static func load(path: String) throws -> AgentConfig {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw AgentError("config.unreadable", "cannot read config file \(path); check the path and permissions")
        }
        return try parse(text, file: path)
    }

    /// Parses and validates YAML text; `file` only names the source in errors.
    public static func parse(_ text: String, file: String = "<config>") throws -> AgentConfig {
        let config: AgentConfig
        do {
            config = try YAMLDecoder().decode(AgentConfig.self, from: text)
        } catch let error as DecodingError {
            throw AgentError("config.invalid", "\(file): \(describe(error))")
        } catch {
            throw AgentError("config.invalid", "\(file): \(error)")
        }
        try config.validate(file: file)
        return config
    }

    /// Checks what decoding cannot: required combinations, formats and uniqueness.
    public func validate(file: String = "<config>") throws {
        func fail(_ key: String, _ message: String) -> AgentError {
            AgentError("config.invalid", "\(file): \(key): \(message)")
        }
        if service.isEmpty || service.contains("/") { throw fail("service", "must be a non-empty name without '/'") }
        if command.isEmpty || command[0].isEmpty { throw fail("command", "must be a non-empty argv list") }
        if controlSocket.isEmpty { throw fail("control_socket", "must be a path") }
        var names = Set<String>()
        var addresses = Set<String>()
        for (index, listener) in listeners.enumerated() {
            let key = "listeners[\(index)]"
            let nameOK =
                !listener.name.isEmpty && listener.name.count <= 255
                && listener.name.allSatisfy { $0.isASCII && !$0.isWhitespace && $0 != ":" }
            if !nameOK { throw fail("\(key).name", "must be 1-255 ASCII characters without ':' or spaces") }
            if !names.insert(listener.name).inserted { throw fail("\(key).name", "'\(listener.name)' is used twice") }
            switch (listener.tcp, listener.unix) {
            case (let tcp?, nil):
                if SocketAddress.parseHostPort(tcp) == nil {
                    throw fail("\(key).tcp", "'\(tcp)' is not host:port (IPv6 as [addr]:port)")
                }
                if listener.mode != nil || listener.owner != nil {
                    throw fail(key, "mode and owner apply to unix listeners only")
                }
            case (nil, let unix?):
                if !unix.hasPrefix("/") || unix.utf8.count >= 108 {
                    throw fail("\(key).unix", "must be an absolute path shorter than 108 bytes")
                }
                if let mode = listener.mode, UInt16(mode, radix: 8) == nil {
                    throw fail("\(key).mode", "'\(mode)' is not an octal mode such as \"0660\"")
                }
            default:
                throw fail(key, "give exactly one of tcp: host:port or unix: PATH")
            }
            if !addresses.insert(listener.addressKey).inserted {
                throw fail(key, "address \(listener.addressKey) is listed twice")
            }
            if let backlog = listener.backlog, backlog < 1 { throw fail("\(key).backlog", "must be positive") }
        }
        if SignalName.number(stop.signal) == nil {
            throw fail(
                "stop.signal",
                "'\(stop.signal)' is not a signal; use one of \(SignalName.known.joined(separator: ", "))")
        }
        if SignalName.number(reload.signal) == nil {
            throw fail(
                "reload.signal",
                "'\(reload.signal)' is not a signal; use one of \(SignalName.known.joined(separator: ", "))")
        }
        if reload.timeout.milliseconds <= 0 { throw fail("reload.timeout", "must be positive") }
        if readiness.timeout.milliseconds <= 0 { throw fail("readiness.timeout", "must be positive") }
        if readiness.type == .http || readiness.type == .tcp {
            if readiness.address == nil && !listeners.contains(where: { $0.tcp != nil }) {
                throw fail(
                    "readiness.address", "required for \(readiness.type.rawValue) readiness without a tcp listener")
            }
            if readiness.type == .http && !readiness.path.hasPrefix("/") {
                throw fail("readiness.path", "must start with '/'")
            }
        }
        if log.tailLines < 0 { throw fail("log.tail_lines", "must be 0 or more") }
        // sun_path holds 107 bytes: the control socket and every generation's notify socket must fit.
        if controlSocket.utf8.count >= 108 { throw fail("control_socket", "must be shorter than 108 bytes") }
        if "\(notifyDirectory)/\(service).notify.1000000".utf8.count >= 108 {
            throw fail(
                runtimeDirectory == nil ? "control_socket" : "runtime_directory",
                "the directory is too long for per-generation notify sockets (108-byte socket path limit)")
        }
        if user == nil && group != nil { throw fail("group", "needs user") }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.hasPrefix(".") ? String(keys.dropFirst()) : (keys.isEmpty ? "<top>" : keys)
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "\(parent == "<top>" ? "" : parent + ".")\(key.stringValue): required key is missing"
        case .typeMismatch(let type, let context):
            return "\(path(context)): expected \(type); \(context.debugDescription)"
        case .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
