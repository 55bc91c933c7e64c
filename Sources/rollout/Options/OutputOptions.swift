import ArgumentParser

/// `--output text|json`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct OutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "text (a table for people) or json (one document for programs).")
    var output: OutputFormat = .text
}
