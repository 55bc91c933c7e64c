import Foundation

/// A fleet of hosts in groups, loaded from an Ansible-style YAML or INI inventory.
///
/// Both formats load into the same model: the same fleet written as YAML and as INI gives equal values.
/// Loading validates everything it can (keys, types, group references) and reports every problem at once.
public struct Inventory: Sendable {
    /// The path it was loaded from, as the user would write it (`inventories/prod.yml`).
    public var file: String
    /// Every host once, in the order it first appears in the file.
    public var hosts: [InventoryHost]
    /// Every group by name, including `all` and `ungrouped`.
    public var groups: [String: InventoryGroup]

    public init(file: String, hosts: [InventoryHost], groups: [String: InventoryGroup]) {
        self.file = file
        self.hosts = hosts
        self.groups = groups
    }

    /// The host with this inventory name.
    public func host(named name: String) -> InventoryHost? {
        hosts.first { $0.name == name }
    }

    /// Loads `inventories/NAME.yml`, `.yaml` or `.ini` under `baseDirectory` (the first that exists, in that order),
    /// or the file at a path.
    ///
    /// A value containing `/` or ending in `.yml`, `.yaml` or `.ini` is a path (relative to `baseDirectory`);
    /// anything else is a name looked up in `inventories/`. Throws a `ConfigError` naming the file when it is
    /// missing, and every problem in its content otherwise.
    public static func load(_ nameOrPath: String, baseDirectory: String = ".") throws -> Inventory {
        let (inventory, problems) = loadReportingAll(nameOrPath, baseDirectory: baseDirectory)
        if let error = ConfigError.combine(problems) { throw error }
        return inventory!
    }

    /// Like `load`, but returns the problems with the inventory as far as it could be read (entries with
    /// errors left out), so later stages can still report theirs; nil when the file cannot be read.
    public static func loadReportingAll(_ nameOrPath: String, baseDirectory: String = ".") -> (
        inventory: Inventory?, problems: [ConfigError]
    ) {
        do {
            let file = try locateFile(nameOrPath, baseDirectory: baseDirectory)
            let text = try ConfigFiles.read(file)
            return parseReportingAll(text, file: file.display, ini: file.display.hasSuffix(".ini"))
        } catch {
            return (nil, (error as? ConfigError)?.all ?? [ConfigError(.syntax, file: "?", message: "\(error)")])
        }
    }

    /// The path of the file `load` reads for `nameOrPath` (relative to the current directory unless absolute),
    /// without reading it. Throws the `ConfigError` `load` would when there is no such file.
    public static func locate(_ nameOrPath: String, baseDirectory: String = ".") throws -> String {
        try locateFile(nameOrPath, baseDirectory: baseDirectory).path
    }

    private static func locateFile(_ nameOrPath: String, baseDirectory: String) throws -> ConfigFiles.Located {
        try ConfigFiles.locate(
            nameOrPath, kind: "inventory", directory: "inventories", extensions: ["yml", "yaml", "ini"],
            baseDirectory: baseDirectory)
    }

    /// Parses a YAML inventory (Ansible's YAML inventory structure); `file` is used in error messages.
    public static func parseYAML(_ text: String, file: String) throws -> Inventory {
        try throwingAll(parseReportingAll(text, file: file, ini: false))
    }

    /// Parses an INI inventory (Ansible's INI inventory format); `file` is used in error messages.
    public static func parseINI(_ text: String, file: String) throws -> Inventory {
        try throwingAll(parseReportingAll(text, file: file, ini: true))
    }

    static func parseReportingAll(_ text: String, file: String, ini: Bool) -> (Inventory?, [ConfigError]) {
        let diagnostics = Diagnostics(file: file)
        var raw = RawInventory(diagnostics: diagnostics)
        if ini {
            raw.readINI(text)
        } else if let root = YAMLReading.compose(text, diagnostics: diagnostics) {
            raw.readYAML(root)
        }
        let inventory = raw.resolve(file: file)
        return (inventory, diagnostics.errors)
    }

    private static func throwingAll(_ result: (Inventory?, [ConfigError])) throws -> Inventory {
        if let error = ConfigError.combine(result.1) { throw error }
        return result.0!
    }
}
