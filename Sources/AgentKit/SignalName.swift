import Glibc

/// Signal names accepted in the config (`TERM` or `SIGTERM`).
enum SignalName {
    static let table: [(String, Int32)] = [
        ("TERM", SIGTERM), ("INT", SIGINT), ("QUIT", SIGQUIT), ("HUP", SIGHUP), ("USR1", SIGUSR1),
        ("USR2", SIGUSR2), ("KILL", SIGKILL), ("WINCH", SIGWINCH),
    ]
    static var known: [String] { table.map(\.0) }

    static func number(_ name: String) -> Int32? {
        let bare = name.uppercased().hasPrefix("SIG") ? String(name.uppercased().dropFirst(3)) : name.uppercased()
        return table.first { $0.0 == bare }?.1
    }

    static func name(_ number: Int32) -> String {
        table.first { $0.1 == number }.map { "SIG\($0.0)" } ?? "signal \(number)"
    }
}
