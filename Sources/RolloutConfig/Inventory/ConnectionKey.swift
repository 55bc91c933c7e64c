import Foundation

/// The per-host settings rollout uses to reach a host, and the Ansible names it accepts for them.
///
/// Every other per-host or per-group key is a user variable (it feeds playbook templating), except an
/// `ansible_*` key rollout does not support and a key that looks like a misspelt connection key: both are
/// errors, so that a typo never silently falls back to a default.
enum ConnectionKey: String, CaseIterable, Sendable {
    case address
    case port
    case user
    case identityFile = "identity_file"
    case knownHosts = "known_hosts"
    case proxyJump = "proxy_jump"

    /// Ansible's names (and their older `ansible_ssh_*` spellings) for the same settings.
    static let ansibleAliases: [String: ConnectionKey] = [
        "ansible_host": .address, "ansible_ssh_host": .address,
        "ansible_port": .port, "ansible_ssh_port": .port,
        "ansible_user": .user, "ansible_ssh_user": .user,
        "ansible_ssh_private_key_file": .identityFile, "ansible_private_key_file": .identityFile,
    ]

    static let groupPriorityKey = "ansible_group_priority"

    /// How a per-host or per-group variable name is understood.
    enum Classification: Equatable {
        case connection(ConnectionKey)
        case user
        /// Not allowed; the string is the suggested replacement, if any.
        case unsupportedAnsible(String?)
        case misspelt(String)
    }

    static func classify(_ key: String) -> Classification {
        if let known = ConnectionKey(rawValue: key) { return .connection(known) }
        if let alias = ansibleAliases[key] { return .connection(alias) }
        // Ansible's tie-breaker between groups of equal depth; an integer, kept as a variable.
        if key == groupPriorityKey { return .user }
        if key.hasPrefix("ansible_") {
            return .unsupportedAnsible(Suggestion.closest(to: key, in: Array(ansibleAliases.keys).sorted()))
        }
        for candidate in allCases.map(\.rawValue) where looksMisspelt(key, as: candidate) {
            return .misspelt(candidate)
        }
        return .user
    }

    /// A near miss: the same word modulo case and separators, one substitution or transposition, one
    /// missing letter, or (for long keys) two edits. An added letter is not a near miss, so user variables
    /// such as `ports` or `users` stay allowed.
    private static func looksMisspelt(_ key: String, as candidate: String) -> Bool {
        if Suggestion.normalized(key) == Suggestion.normalized(candidate) { return true }
        let distance = Suggestion.distance(key.lowercased(), candidate)
        if candidate.count >= 8 { return distance <= 2 && key.count <= candidate.count }
        if key.count == candidate.count { return distance == 1 }
        return key.count == candidate.count - 1 && distance == 1 && key.count >= 3
    }

    /// Whether `text` starts and ends with a visible ASCII character, so that trimming whitespace leaves it as it
    /// is (Foundation's trimming, through `NSString`, was a tenth of loading a 10,000-host inventory).
    private static func hasVisibleASCIIEnds(_ text: String) -> Bool {
        guard let first = text.utf8.first, let last = text.utf8.last else { return false }
        return (0x21...0x7E).contains(first) && (0x21...0x7E).contains(last)
    }

    /// The value, checked and normalised (a port given as `"2222"` becomes the integer 2222), or what is wrong.
    func check(_ value: ConfigValue) -> Result<ConfigValue, ValueProblem> {
        switch self {
        case .port:
            let number: Int? =
                switch value {
                case .int(let i): i
                case .string(let s): Int(s)
                default: nil
                }
            guard let number else {
                return .failure(
                    .type(
                        "expected an integer port in 1...65535, found \(value.typeName)", found: "\(value)",
                        allowed: "an integer port in 1...65535"))
            }
            guard (1...65535).contains(number) else {
                return .failure(
                    .value("port \(number) is outside 1...65535", found: "\(number)", allowed: "1...65535"))
            }
            return .success(.int(number))
        case .address, .user, .identityFile, .knownHosts, .proxyJump:
            guard case .string(let text) = value else {
                if case .int = value, self == .address {
                    return .failure(
                        .type(
                            "expected a host name or IP address as a string", found: "\(value)",
                            allowed: "a host name or IP address"))
                }
                return .failure(
                    .type(
                        "expected a non-empty string, found \(value.typeName)", found: "\(value)",
                        allowed: "a non-empty string"))
            }
            let trimmed = Self.hasVisibleASCIIEnds(text) ? text : text.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return .failure(.value("must not be empty")) }
            if self != .identityFile, self != .knownHosts, trimmed.containsWhitespace {
                return .failure(.value("must not contain spaces"))
            }
            return .success(.string(trimmed))
        }
    }
}
