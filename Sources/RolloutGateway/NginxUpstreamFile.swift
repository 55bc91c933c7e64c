/// Marks and unmarks a server `down` in the text of an nginx upstream file, touching nothing else.
///
/// A matching line is `server ADDRESS [parameters...];` (any indentation, an optional trailing `# comment`).
/// Other parameters, comments, spacing and lines stay as they are; commented-out lines are never matched.
public enum NginxUpstreamFile {
    public struct Edit: Sendable, Equatable {
        /// The new file text.
        public var text: String
        /// How many `server ADDRESS` lines matched.
        public var matches: Int
        /// Whether `text` differs from the input.
        public var changed: Bool
    }

    /// Sets (`down: true`) or clears the `down` parameter on every `server` line for `server`.
    public static func mark(_ text: String, server: String, down: Bool) -> Edit {
        var matches = 0
        var changed = false
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { raw -> String in
            let line = String(raw)
            guard let parsed = ServerLine(line), parsed.address == server else { return line }
            matches += 1
            let edited = parsed.withDown(down)
            if edited != line { changed = true }
            return edited
        }
        return Edit(text: lines.joined(separator: "\n"), matches: matches, changed: changed)
    }

    /// Whether `server`'s line is marked `down`; nil when the file has no `server` line for it.
    public static func isDown(_ text: String, server: String) -> Bool? {
        let found = text.split(separator: "\n").compactMap { ServerLine(String($0)) }.filter { $0.address == server }
        guard !found.isEmpty else { return nil }
        return found.allSatisfy(\.isDown)
    }
}

/// `<indent>server <address> <params>;<rest>` split so the parameters can change and the rest stay byte for byte.
private struct ServerLine {
    var head: String  // up to and including the address
    var parameters: [Substring]  // tokens between the address and `;`
    var tail: String  // from `;` to the end of the line
    var address: String

    init?(_ line: String) {
        let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard let semicolon = code.firstIndex(of: ";") else { return nil }
        let statement = code[..<semicolon]
        let tokens = statement.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard tokens.count >= 2, tokens[0] == "server" else { return nil }
        address = String(tokens[1])
        head = String(line[..<tokens[1].endIndex])
        parameters = Array(tokens.dropFirst(2))
        tail = String(line[semicolon...])
    }

    var isDown: Bool { parameters.contains("down") }

    func withDown(_ down: Bool) -> String {
        var kept = parameters.filter { $0 != "down" }.map(String.init)
        if down { kept.append("down") }
        return head + kept.map { " " + $0 }.joined() + tail
    }
}
