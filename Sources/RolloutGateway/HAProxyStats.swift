/// Rows of `show stat` (CSV with a `# pxname,svname,...` header), read by column name.
struct HAProxyStats {
    var columns: [String]
    var rows: [[String]]

    init(_ answer: String, backend: String, server: String) throws {
        let lines = answer.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first, header.hasPrefix("# ") else {
            throw HAProxyAnswer.error(answer, command: "show stat", backend: backend, server: server)
        }
        columns = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The values of `server`'s row in `backend`, by column name; nil when there is no such row.
    func row(backend: String, server: String) -> [String: String]? {
        guard let px = columns.firstIndex(of: "pxname"), let sv = columns.firstIndex(of: "svname") else { return nil }
        guard let row = rows.first(where: { $0.count > max(px, sv) && $0[px] == backend && $0[sv] == server }) else {
            return nil
        }
        return Dictionary(zip(columns, row), uniquingKeysWith: { first, _ in first })
    }
}
