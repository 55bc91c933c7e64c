import ArgumentParser
import Foundation
import RolloutTestSupport

/// `rollout-lab load ...`: bounded HTTP load against a service on this machine, counting every failure kind.
///
/// Runs for `--duration`, or until SIGTERM/SIGINT, whichever comes first; either way it prints the report of
/// everything sent so far (so a script can keep the load up exactly as long as a rollout takes).
struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send bounded HTTP load to a local service and report every failed request.",
        discussion: LoadGenerator.commandLineUsage + "\nSIGTERM or SIGINT stops it early and prints the report.")

    @Argument(parsing: .captureForPassthrough, help: "The load options (see below).")
    var arguments: [String] = []

    func run() throws {
        let configuration: LoadGenerator.Configuration
        let json: Bool
        do {
            (configuration, json) = try LoadGenerator.Configuration.parse(commandLine: arguments)
        } catch {
            // The same usage report and exit status as `LoadGenerator.commandLineMain`.
            throw ExitCode(LoadGenerator.commandLineMain(arguments))
        }
        let stop = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for signo in [SIGTERM, SIGINT] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        let handle = try LoadGenerator.start(configuration)
        while !handle.isFinished && stop.wait(timeout: .now() + .milliseconds(50)) == .timedOut {}
        let report = handle.isFinished ? handle.wait() : handle.stop()
        sources.forEach { $0.cancel() }
        print(json ? report.jsonString() : report.summary)
        if report.failed != 0 { throw ExitCode(1) }
    }
}
