import RolloutConfig

/// Renders templates for many hosts and collects undefined variables, one error per place and name
/// (listing the hosts concerned), so `rollout check` reports each mistake once.
///
/// Not thread-safe: each chunk of hosts planned concurrently has its own, merged afterwards with `absorb`.
final class TemplateRenderer {
    private struct Key: Hashable {
        var origin: ConfigOrigin
        var name: String
        var via: String?
        var isCycle: Bool
        var unfit: String?
    }

    private var undefined: [Key: (hosts: [String], known: [String])] = [:]
    private var order: [Key] = []
    private(set) var otherProblems: [ConfigError] = []

    /// The rendered text, or the raw text after recording what is undefined.
    func render(_ template: Template, _ scope: VariableScope, host: String) -> String {
        switch template.render(in: scope) {
        case .success(let text): return text
        case .failure(let failure):
            // A name missing inside `service.root` is reported once, where the root is written, not again
            // for every path derived from it (`control_socket`, `service.release`, ...).
            for name in failure.names where name.via != "service.root" {
                let key = Key(
                    origin: template.origin, name: name.name, via: name.via, isCycle: name.isCycle,
                    unfit: name.unfit)
                if undefined[key] == nil {
                    order.append(key)
                    undefined[key] = ([], scope.knownNames)
                }
                undefined[key]!.hosts.append(host)
            }
            return template.text
        }
    }

    func render(_ template: Template?, _ scope: VariableScope, host: String) -> String? {
        template.map { render($0, scope, host: host) }
    }

    /// Records `error` unless one with the same code was already recorded at the same place.
    func reportOnce(_ error: ConfigError) {
        let place = ConfigOrigin(file: error.file, line: error.line, column: error.column, key: error.key)
        guard reportedPlaces.insert(PlaceKey(origin: place, code: error.code.rawValue)).inserted else { return }
        otherProblems.append(error)
    }

    /// Takes over what `other` recorded, as if this renderer had rendered `other`'s hosts after its own: the
    /// hosts of an undefined name are listed in that order, and a place reported by both is reported once.
    func absorb(_ other: TemplateRenderer) {
        for key in other.order {
            let entry = other.undefined[key]!
            if undefined[key] == nil {
                order.append(key)
                undefined[key] = entry
            } else {
                undefined[key]!.hosts += entry.hosts
            }
        }
        for error in other.otherProblems { reportOnce(error) }
    }

    private struct PlaceKey: Hashable {
        var origin: ConfigOrigin
        var code: String
    }

    private var reportedPlaces: Set<PlaceKey> = []

    /// Every problem recorded, undefined variables first in the order met.
    var problems: [ConfigError] {
        let undefinedErrors = order.map { key -> ConfigError in
            let entry = undefined[key]!
            let hosts =
                entry.hosts.prefix(3).joined(separator: ", ")
                + (entry.hosts.count > 3 ? " and \(entry.hosts.count - 3) more" : "")
            let via = key.via.map { " (used in the value of `\($0)`)" } ?? ""
            if let unfit = key.unfit {
                return key.origin.error(
                    .invalidValue,
                    "variable `\(key.name)`\(via) holds \(unfit) for host \(hosts)")
            }
            if key.isCycle {
                return key.origin.error(
                    .invalidValue, "variable `\(key.name)` refers to itself\(via) for host \(hosts)")
            }
            return key.origin.error(
                .undefinedVariable, "undefined variable `\(key.name)`\(via) for host \(hosts)",
                suggestion: Suggestion.closest(to: key.name, in: entry.known))
        }
        return undefinedErrors + otherProblems
    }
}
