/// What the terminal's status line says, kept from the events. Pure: `line(now:)` renders it.
public struct DevStatus: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case starting
        case watching
        case building(since: Int64)
        case restarting(since: Int64)
        case reloading(since: Int64)
    }

    public var phase: Phase = .starting
    /// The serving generation, its pid and how long it took to become ready.
    public var serving: (generation: Int, pid: Int32, readyMs: Int?)?
    public var lastError: String?

    public init() {}

    public static func == (a: DevStatus, b: DevStatus) -> Bool {
        a.phase == b.phase && a.lastError == b.lastError && a.serving?.generation == b.serving?.generation
            && a.serving?.pid == b.serving?.pid && a.serving?.readyMs == b.serving?.readyMs
    }

    /// `building (1.2 s) | serving generation 3 (pid 4711, ready 41 ms) | last error: build exited 2`.
    public func line(now: Int64) -> String {
        func seconds(_ since: Int64) -> String {
            let tenths = max(0, now - since) / 100
            return "\(tenths / 10).\(tenths % 10) s"
        }
        var parts: [String]
        switch phase {
        case .starting: parts = ["starting"]
        case .watching: parts = ["watching"]
        case .building(let since): parts = ["building (\(seconds(since)))"]
        case .restarting(let since): parts = ["restarting (\(seconds(since)))"]
        case .reloading(let since): parts = ["reloading (\(seconds(since)))"]
        }
        if let serving {
            parts.append(
                "serving generation \(serving.generation) (pid \(serving.pid)"
                    + (serving.readyMs.map { ", ready \($0) ms" } ?? "") + ")")
        } else {
            parts.append("nothing serving")
        }
        if let lastError { parts.append("last error: \(lastError)") }
        return parts.joined(separator: " | ")
    }
}
