import Foundation

/// Encodes a report as stable JSON: snake_case keys, sorted, pretty-printed, one document.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(value)
    data.append(0x0A)
    FileHandle.standardOutput.write(data)
}

/// Rounds milliseconds to 0.1 ms for reports.
func roundedMilliseconds(_ value: Double?) -> Double? {
    value.map { ($0 * 10).rounded() / 10 }
}
