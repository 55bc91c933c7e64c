import RolloutText

/// The commands of the nginx driver around an upstream file: the one source for both the driver
/// (`RolloutGateway`) and the plan.
public enum NginxCommands {
    /// `cat -- FILE`.
    public static func read(_ file: String) -> [String] { ["cat", "--", file] }

    /// Writes standard input over `file`: to a temporary file beside it, with its mode, then renamed over it, so
    /// nginx never reads a half-written file.
    public static func write(_ file: String) -> [String] {
        let path = ShellQuote.quote(file)
        return ShellQuote.shell(
            "set -e; t=$(mktemp \(path).rollout.XXXXXX); trap 'rm -f \"$t\"' EXIT; cat > \"$t\"; "
                + "chmod --reference=\(path) \"$t\" 2>/dev/null || chmod 644 \"$t\"; mv -f \"$t\" \(path); "
                + "trap - EXIT")
    }

    /// The configuration test for a reload command: `nginx -t` with the reload command's `-c`/`-p`/`-g` flags
    /// (`nginx -p P -c C -s reload` → `nginx -p P -c C -t`); plain `nginx -t` when it does not run nginx itself.
    /// The words are split as the shell splits them, quotes kept: a rendered `{{ value }}` with a space is one
    /// quoted word (`-c '/etc/my nginx/nginx.conf'`) and stays one.
    public static func configTest(reload: String) -> String {
        let words = shellWords(reload)
        guard let binary = words.first, binary == "nginx" || binary.hasSuffix("/nginx") else { return "nginx -t" }
        var flags: [String] = []
        var index = 1
        while index + 1 < words.count {
            if ["-c", "-p", "-g"].contains(words[index]) { flags += [words[index], words[index + 1]] }
            index += ["-c", "-p", "-g", "-s"].contains(words[index]) ? 2 : 1
        }
        return ([binary] + flags + ["-t"]).joined(separator: " ")
    }

    /// `command` split at unquoted blanks, each word as written (its quotes and backslashes kept).
    static func shellWords(_ command: String) -> [String] {
        var words: [String] = []
        var word = ""
        var quote: Character?
        var escaped = false
        for character in command {
            if escaped {
                escaped = false
            } else if let open = quote {
                if character == open { quote = nil } else if character == "\\" && open == "\"" { escaped = true }
            } else if character == " " || character == "\t" {
                if !word.isEmpty { words.append(word) }
                word = ""
                continue
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "\\" {
                escaped = true
            }
            word.append(character)
        }
        if !word.isEmpty { words.append(word) }
        return words
    }
}
