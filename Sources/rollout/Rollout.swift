import ArgumentParser
import Foundation

@main
struct Rollout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Zero-downtime rolling upgrades across a fleet of Linux hosts.",
        discussion: """
            Exit codes: 0 ok, 1 failed (a rollout: nothing left on the new version), 2 invalid input, 3 a host \
            unreachable (a rollout: and nothing left on the new version; 3 wins over 1), 4 a rollout failed and left \
            hosts on the new version, 5 lock held, 6 interrupted, 7 a rollout lost its lock, 8 the journal (PostgreSQL) \
            unreachable, 70 internal error.
            """,
        subcommands: [
            Ping.self, Exec.self, PlanCommand.self, CheckCommand.self, Deploy.self, Rollback.self, Resume.self,
            Promote.self, AgentGroup.self, History.self, Show.self, LiveConfig.self, Lock.self, Gateway.self,
            Dev.self, Serve.self, State.self,
        ]
    )

    /// Runs the command, mapping ArgumentParser's usage errors (EX_USAGE, 64) to the project's
    /// "invalid input" code so that every bad input exits 2, whether it is a flag or a file.
    static func main() async {
        // A reader that goes away (`| head`, a `tee` killed by Ctrl-C first) must not kill a rollout with hosts
        // drained: writes then fail with EPIPE, which `StandardStream` turns into "stop writing". A handler that
        // does nothing rather than SIG_IGN: an ignored signal stays ignored across exec, and hooks and gateway
        // commands (`sh -c`, spawned by Foundation's Process, which keeps dispositions) expect the default; a
        // caught one is reset to the default in every child.
        signal(SIGPIPE) { _ in }
        limitMallocArenas()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardStream.error.write(fullMessage(for: error) + "\n")
                Foundation.exit(RolloutExit.invalidInput.rawValue)
            }
            exit(withError: error)
        }
    }

    /// glibc gives each thread that allocates under contention an arena of its own, up to 8 per core, and a
    /// freed block stays in its arena: with a thread per SSH operation and per health probe in flight, 1,000
    /// hosts left 24 MiB of the deploy's 190 MiB in partly used arenas (bench/thousand, docs/scale.md). One
    /// arena per core (at least 2) costs nothing measurable to a controller that mostly waits for hosts.
    /// `MALLOC_ARENA_MAX` in the environment still decides when set.
    /// (`mallopt` is looked up at run time: Swift's Glibc module does not include malloc.h; `M_ARENA_MAX` is -8 in
    /// glibc's ABI, mallopt(3).)
    private static func limitMallocArenas() {
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil,
            let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt")
        else { return }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        let arenaMax: Int32 = -8
        _ = mallopt(arenaMax, Int32(max(2, ProcessInfo.processInfo.activeProcessorCount)))
    }
}
