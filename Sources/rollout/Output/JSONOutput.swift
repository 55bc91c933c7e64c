import Foundation
import RolloutJSON
import RolloutStore

/// Prints one JSON document for programs: snake_case keys, sorted, pretty-printed, timestamps as
/// UTC ISO-8601 with milliseconds (the journal's format).
func printJSON(_ value: some Encodable) throws {
    let coding = JSONCoding(snakeCaseKeys: true, dates: .text(JournalTime.string(from:)))
    StandardStream.output.write(Data(try JSONValue.formatted(value, coding: coding).utf8))
}

/// Rounds milliseconds to 0.1 ms for reports.
func roundedMilliseconds(_ value: Double?) -> Double? {
    value.map { ($0 * 10).rounded() / 10 }
}

/// Writes `error: <message>` to standard error, one line per line of the message.
func printError(_ message: String) {
    let lines = message.split(separator: "\n", omittingEmptySubsequences: false)
    StandardStream.error.write(lines.map { "error: \($0)\n" }.joined())
}

/// Writes an error (a configuration error may hold several problems, one per line) to standard error.
func printError(_ error: any Error) {
    printError(String(describing: error))
}
