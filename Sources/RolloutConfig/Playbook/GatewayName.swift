/// The names and addresses rollout writes into a gateway's requests, command lines and files, and what each may
/// hold: checked on the literal text when the playbook is read, on every host's rendered value by `rollout check`
/// (file, line, key; exit 2 before anything runs) and again by the drivers before they send anything.
public enum GatewayName: Sendable {
    /// An HAProxy backend or server name: the runtime API is one line split on spaces (and `;` separates
    /// commands), so only what HAProxy itself allows in names: letters, digits, `-`, `_`, `.` and `:`.
    case haproxy
    /// The address of a `server ADDRESS ...;` line of an nginx upstream (`10.0.0.5:8080`, `unix:/run/a.sock`):
    /// one nginx token, so no whitespace, control characters, `;`, `{`, `}`, `#` or quotes.
    case nginxServer
    /// An LVS `VIP:PORT` or real server `ADDRESS:PORT`, one `ipvsadm` argument: letters, digits, `.`, `:`, `-`,
    /// `_`, `[` and `]`, not starting with `-` (it would be read as an option).
    case lvsAddress

    /// Why `value` cannot be used as this kind of name, or nil when it can.
    public func problem(_ value: String) -> String? {
        guard !value.isEmpty else { return "is empty" }
        if let bad = value.unicodeScalars.first(where: { !isAllowed($0) }) {
            return "`\(value)` holds \(Self.describe(bad)); \(rule)"
        }
        if self == .lvsAddress, value.hasPrefix("-") { return "`\(value)` starts with `-`; \(rule)" }
        return nil
    }

    /// What is allowed, for messages.
    public var rule: String {
        switch self {
        case .haproxy:
            return "an HAProxy name holds only letters, digits, `-`, `_`, `.` and `:` (the runtime API is "
                + "split on spaces and `;`)"
        case .nginxServer:
            return "an nginx upstream server address is one token: no whitespace, control characters, `;`, `{`, "
                + "`}`, `#` or quotes"
        case .lvsAddress:
            return "an LVS address is `ADDRESS:PORT` of letters, digits, `.`, `:`, `-`, `_`, `[` and `]`, not "
                + "starting with `-`"
        }
    }

    private func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        let asciiWord = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
        switch self {
        case .haproxy: return asciiWord || "-_.:".unicodeScalars.contains(scalar)
        case .lvsAddress: return asciiWord || "-_.:[]".unicodeScalars.contains(scalar)
        case .nginxServer:
            return
                !(scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F
                || ";{}#'\"".unicodeScalars.contains(scalar))
        }
    }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "a newline"
        case "\r": return "a carriage return"
        case "\t": return "a tab"
        case " ": return "a space"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                return "the control character U+\(String(scalar.value, radix: 16, uppercase: true))"
            }
            return "`\(scalar)`"
        }
    }
}
