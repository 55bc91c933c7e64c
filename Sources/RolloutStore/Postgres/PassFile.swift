import Foundation

/// A `.pgpass`-format file: lines `hostname:port:database:username:password`, `*` matching anything in the first
/// four fields, `\:` and `\\` escaping, `#` comments; the first matching line wins (libpq's rules).
enum PassFile {
    /// The password for the connection, nil when the file does not exist or no line matches.
    ///
    /// - Parameter required: the file was named explicitly (`PGPASSFILE`): a missing file is an error.
    /// - Throws: ``JournalError`` `invalid_location` when the file is readable by group or others (libpq ignores
    ///   such a file; saying so is kinder than a login failure), or missing though `required`.
    static func password(
        in path: String, host: String, port: Int, database: String, user: String, required: Bool
    ) throws -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if required { throw JournalError(.invalidLocation, "PGPASSFILE \(path) does not exist") }
            return nil
        }
        if info.st_mode & 0o077 != 0 {
            throw JournalError(
                .invalidLocation,
                "the password file \(path) is readable by group or others; `chmod 600 \(path)` (as libpq requires)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw JournalError(.invalidLocation, "cannot read the password file \(path)")
        }
        return match(text, host: host, port: port, database: database, user: user)
    }

    /// The password of the first line of `text` that matches; pure.
    static func match(_ text: String, host: String, port: Int, database: String, user: String) -> String? {
        let wanted = [host, String(port), database, user]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") { continue }
            let fields = split(line)
            guard fields.count == 5 else { continue }
            let matches = zip(fields.prefix(4), wanted).allSatisfy { field, value in field == "*" || field == value }
            if matches { return fields[4] }
        }
        return nil
    }

    /// Splits one line on unescaped colons, resolving `\:` and `\\`.
    static func split(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
