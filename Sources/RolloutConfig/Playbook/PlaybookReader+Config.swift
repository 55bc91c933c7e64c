import Yams

extension PlaybookReader {
    static let configKeys = ["files", "reload_timeout"]
    static let configFileKeys = ["template", "copy", "dest", "mode", "validate"]

    /// The `config` section: `files` (each `template:` or `copy:`, `dest:` under `shared/` or `release/`,
    /// `mode:`, `validate:` with `{file}`) and `reload_timeout`.
    func readConfig(_ top: MappingReader) -> ConfigSpec? {
        guard let m = top.mapping("config", allowed: Self.configKeys) else { return nil }
        m.requireKey("files", "the files to deploy (`template:` or `copy:`, and `dest:`)")
        let files = m.list("files").compactMap { readConfigFile($0.node, path: $0.path) }
        if m.has("files"), m.list("files").isEmpty {
            m.problem("files", .value("must list at least one file"))
        }
        var seen: [String: String] = [:]
        for file in files {
            if let first = seen[file.destination] {
                diagnostics.report(
                    .invalidValue, "`\(file.destination)` is also the destination of \(first)", line: file.origin.line,
                    column: file.origin.column,
                    key: "\(file.origin.key ?? "config.files").dest")
            } else {
                seen[file.destination] = file.origin.key ?? "another file"
            }
        }
        return ConfigSpec(
            files: files, reloadTimeout: m.duration("reload_timeout") ?? .seconds(60), origin: top.origin("config"))
    }

    private func readConfigFile(_ node: Node, path: String) -> ConfigFileSpec? {
        guard let m = MappingReader(node, path: path, allowed: Self.configFileKeys, diagnostics: diagnostics) else {
            return nil
        }
        let template = m.string("template")
        let copy = m.string("copy")
        let source: ConfigFileSpec.Source?
        switch (template, copy) {
        case (let path?, nil): source = .template(path)
        case (nil, let path?): source = .copy(path)
        case (.some, .some):
            m.problem("copy", .value("give either `template` (rendered per host) or `copy` (as it is), not both"))
            source = nil
        case (nil, nil):
            if !m.has("template") && !m.has("copy") {
                m.requireKey("template", "a local file to render per host, or `copy:` for one deployed as it is")
            }
            source = nil
        }
        let destination = readDestination(m)
        var mode: UInt32 = 0o644
        if let text = m.string("mode") {
            if let parsed = UInt32(text, radix: 8), parsed <= 0o7777, text.count >= 3 {
                mode = parsed
            } else {
                m.problem(
                    "mode",
                    .value("`\(text)` is not an octal mode", found: text, allowed: "an octal mode such as \"0644\""),
                    suggestion: "0644")
            }
        }
        let validate = m.template("validate", context: .shell)
        if let validate, !validate.text.contains(ConfigFileSpec.filePlaceholder) {
            m.problem(
                "validate",
                .value(
                    "must name the uploaded file as `\(ConfigFileSpec.filePlaceholder)` (it is checked before it "
                        + "replaces the live one), e.g. `nginx -t -c {file}`"))
        }
        guard let source, let destination else { return nil }
        return ConfigFileSpec(
            source: source, base: destination.base, path: destination.path, mode: mode, validate: validate,
            origin: ConfigOrigin(file: diagnostics.file, line: node.mark?.line, column: node.mark?.column, key: path))
    }

    /// `dest`: `shared/PATH` or `release/PATH`, relative, without `.` or `..` components.
    private func readDestination(_ m: MappingReader) -> (base: ConfigFileSpec.Base, path: String)? {
        guard let text = m.string("dest", required: "where the file goes: `shared/PATH` or `release/PATH`") else {
            return nil
        }
        let allowed = "`shared/PATH` or `release/PATH` (relative, no `..`)"
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, let base = ConfigFileSpec.Base(rawValue: parts[0]) else {
            m.problem(
                "dest", .value("`\(text)` is not under `shared/` or `release/`", found: text, allowed: allowed),
                suggestion: text.hasPrefix("/") ? nil : "shared/\(text)")
            return nil
        }
        let rest = parts.dropFirst()
        guard rest.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            m.problem(
                "dest", .value("`\(text)` must name a file below `\(base.rawValue)/`", found: text, allowed: allowed))
            return nil
        }
        return (base, rest.joined(separator: "/"))
    }

    /// Problems between `strategy` and `config`: a `reload` host needs files to push, and files without a
    /// `reload` host would silently never be deployed.
    func checkReload(
        _ top: MappingReader, root: Node, strategy: Strategy, overrides: [OverrideSpec], config: ConfigSpec?
    ) {
        let usesReload = strategy == .reload || overrides.contains { $0.strategy == .reload }
        if usesReload && config == nil && !top.has("config") {
            diagnostics.report(
                .missingKey, "required: the `reload` strategy pushes configuration files; list them here",
                at: root, key: "config")
        }
        if !usesReload, config != nil {
            top.problem(
                "config",
                .value("no host uses `strategy: reload`, so these files would never be deployed; set the strategy"))
        }
    }
}
