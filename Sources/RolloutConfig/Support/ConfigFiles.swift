import Foundation

/// Finds configuration files by name (`prod` → `inventories/prod.yml`) or path, and reads them.
enum ConfigFiles {
    struct Located {
        /// The path as shown to the user: relative to the base directory when the base is `.`.
        var display: String
        /// The path used to open the file.
        var path: String
    }

    static func locate(
        _ nameOrPath: String, kind: String, directory: String, extensions: [String], baseDirectory: String
    ) throws -> Located {
        func resolve(_ relative: String) -> Located {
            if relative.hasPrefix("/") { return Located(display: relative, path: relative) }
            let path = baseDirectory == "." ? relative : (baseDirectory as NSString).appendingPathComponent(relative)
            return Located(display: path, path: path)
        }
        let looksLikePath =
            nameOrPath.contains("/") || extensions.contains { nameOrPath.hasSuffix(".\($0)") }
        if looksLikePath {
            let located = resolve(nameOrPath)
            guard FileManager.default.fileExists(atPath: located.path) else {
                throw ConfigError(.fileNotFound, file: located.display, message: "no such \(kind) file")
            }
            return located
        }
        // The first extension that exists wins (`.yml`, then `.yaml`, then `.ini`), so one fleet can be kept
        // in two formats side by side.
        let candidates = extensions.map { resolve("\(directory)/\(nameOrPath).\($0)") }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) { return found }
        let available = available(in: resolve(directory).path, extensions: extensions)
        let expected = resolve("\(directory)/\(nameOrPath).\(extensions[0])").display
        let list = available.isEmpty ? "none found" : "available: " + available.joined(separator: ", ")
        throw ConfigError(
            .fileNotFound, file: expected, message: "no \(kind) named `\(nameOrPath)` (\(list))",
            suggestion: Suggestion.closest(to: nameOrPath, in: available))
    }

    /// Names (without extension) of the files with one of `extensions` in `directory`, sorted.
    static func available(in directory: String, extensions: [String]) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.filter { name in extensions.contains { name.hasSuffix(".\($0)") } }
            .map { ($0 as NSString).deletingPathExtension }.sorted()
    }

    static func read(_ file: Located) throws -> String {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ConfigError(.fileNotFound, file: file.display, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(.syntax, file: file.display, message: "the file is not valid UTF-8")
        }
        return text
    }
}
