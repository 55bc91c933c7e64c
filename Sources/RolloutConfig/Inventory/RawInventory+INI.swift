extension RawInventory {
    private enum SectionKind: String, CaseIterable {
        case hosts, vars, children
    }

    /// Reads Ansible's INI inventory format: hosts before any section are ungrouped; `[g]` lists hosts with
    /// inline `key=value` variables, `[g:vars]` holds `key=value` lines, `[g:children]` lists child groups.
    /// `#` and `;` start comment lines. A `:vars` or `:children` section naming a group that is never defined
    /// is an error, as in Ansible.
    mutating func readINI(_ text: String) {
        var group = "ungrouped"
        var kind = SectionKind.hosts
        var referenced: [(group: String, line: Int, what: String)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                // A comment may follow the header: `[web]  # front ends`.
                let header = line.firstIndex(of: "]").map { line[...$0] } ?? line
                if !line[header.endIndex...].trimmingWhitespace().isEmpty,
                    !"#;".contains(line[header.endIndex...].trimmingWhitespace().first!)
                {
                    diagnostics.report(.syntax, "unexpected text after the section header", line: lineNumber)
                }
                guard let section = readSectionHeader(header, line: lineNumber) else {
                    group = ""
                    continue
                }
                (group, kind) = section
                if kind != .vars {
                    defineGroup(group, line: lineNumber)
                } else if group != "all" && group != "ungrouped" {
                    referenced.append((group, lineNumber, "[\(group):\(kind.rawValue)]"))
                }
                continue
            }
            guard !group.isEmpty else { continue }  // inside a section whose header was rejected
            let tokens: [INIToken]
            do {
                tokens = try INIToken.split(line)
            } catch {
                diagnostics.report(.syntax, "unterminated quote", line: lineNumber)
                continue
            }
            guard !tokens.isEmpty else { continue }
            switch kind {
            case .hosts: readHostLine(tokens, line: lineNumber, group: group)
            case .vars: readVarsLine(line, line: lineNumber, group: group)
            case .children:
                guard tokens.count == 1 else {
                    diagnostics.report(
                        .syntax, "a `:children` line names one group", line: lineNumber, key: tokens[0].text)
                    continue
                }
                addChild(tokens[0].text, to: group)
                referenced.append((tokens[0].text, lineNumber, "[\(group):children]"))
            }
        }
        let defined = Set(groups.keys.filter { hasBeenDefined($0) })
        for ref in referenced where !defined.contains(ref.group) {
            diagnostics.report(
                .noMatch, "\(ref.what) names a group that is never defined", line: ref.line, key: ref.group,
                suggestion: Suggestion.closest(to: ref.group, in: defined.subtracting(["all", "ungrouped"]).sorted()))
        }
    }

    private func hasBeenDefined(_ group: String) -> Bool {
        group == "all" || group == "ungrouped" || groups[group]?.line != nil
    }

    private func readSectionHeader(_ line: Substring, line number: Int) -> (String, SectionKind)? {
        guard line.hasSuffix("]") else {
            diagnostics.report(.syntax, "a section header must end with `]`", line: number)
            return nil
        }
        let inner = line.dropFirst().dropLast()
        let parts = inner.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = parts[0].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !name.contains(where: { $0.isWhitespace || "[],!&".contains($0) }) else {
            diagnostics.report(.invalidValue, "invalid group name in `[\(inner)]`", line: number, key: name)
            return nil
        }
        guard parts.count == 2 else { return (name, .hosts) }
        guard let kind = SectionKind(rawValue: parts[1]), kind != .hosts else {
            diagnostics.report(
                .unknownKey, "unknown section kind in `[\(inner)]` (allowed: `:vars`, `:children`)", line: number,
                key: parts[1], suggestion: Suggestion.closest(to: parts[1], in: ["vars", "children"]))
            return nil
        }
        return (name, kind)
    }

    private mutating func readHostLine(_ tokens: [INIToken], line: Int, group: String) {
        var vars: [String: ConfigValue] = [:]
        var seen: [String: String] = [:]
        var (hostSpec, port) = (tokens[0].text, ConfigValue?.none)
        // `host:2222` sets the port, as in Ansible; more than one colon is an IPv6 address, and a colon inside
        // brackets belongs to a host range (`web[1:3]`).
        let rangeEnd = hostSpec.lastIndex(of: "]").map { hostSpec.index(after: $0) } ?? hostSpec.startIndex
        let outsideRange = hostSpec[rangeEnd...]
        if let colon = outsideRange.lastIndex(of: ":"), outsideRange.filter({ $0 == ":" }).count == 1 {
            let portText = String(hostSpec[hostSpec.index(after: colon)...])
            hostSpec = String(hostSpec[..<colon])
            port = .string(portText)
        }
        if let port { readVariable("port", port, line: line, column: nil, into: &vars, seen: &seen) }
        for token in tokens.dropFirst() {
            guard let eq = token.text.firstIndex(of: "=") else {
                diagnostics.report(
                    .syntax, "expected `key=value` after the host name", line: line, key: token.text)
                continue
            }
            let key = String(token.text[..<eq])
            let valueText = String(token.text[token.text.index(after: eq)...])
            readVariable(
                key, token.quoted ? .string(valueText) : Self.iniValue(valueText), line: line, column: nil,
                into: &vars, seen: &seen)
        }
        do {
            for name in try HostPattern.expand(hostSpec) { addHost(name, to: group, vars: vars) }
        } catch {
            diagnostics.report(.invalidValue, error.message, line: line, key: hostSpec)
        }
    }

    private mutating func readVarsLine(_ line: Substring, line number: Int, group: String) {
        guard let eq = line.firstIndex(of: "=") else {
            diagnostics.report(.syntax, "expected `key=value` in a `:vars` section", line: number)
            return
        }
        let key = String(line[..<eq]).trimmingCharacters(in: .whitespaces)
        let valuePart = line[line.index(after: eq)...]
        let value: ConfigValue
        do {
            let tokens = try INIToken.split(valuePart)
            if tokens.count == 1 {
                value = tokens[0].quoted ? .string(tokens[0].text) : Self.iniValue(tokens[0].text)
            } else {
                // An unquoted value with spaces keeps its text up to a comment, as Ansible does.
                value = .string(tokens.map(\.text).joined(separator: " "))
            }
        } catch {
            diagnostics.report(.syntax, "unterminated quote", line: number, key: key)
            return
        }
        var vars: [String: ConfigValue] = [:]
        var seen: [String: String] = [:]
        readVariable(key, value, line: number, column: nil, into: &vars, seen: &seen)
        mergeGroupVars(vars, into: group)
    }

    /// Types an unquoted INI value like Ansible's literal evaluation: integers, decimals, booleans
    /// (`true`/`True`/`false`/`False`); anything else is a string.
    static func iniValue(_ text: String) -> ConfigValue {
        if let int = Int(text) { return .int(int) }
        if text.contains("."), text.first?.isNumber == true, let double = Double(text) { return .double(double) }
        switch text {
        case "true", "True": return .bool(true)
        case "false", "False": return .bool(false)
        default: return .string(text)
        }
    }
}
