// A test build of rollout-agent whose upgrade state (ROLLOUT_AGENT_STATE) has the next schema: it writes schema
// current+1 and reads only that, as a future release with a changed format would. The tests upgrade a running agent
// to it (`ctl upgrade-agent`, which must refuse it) and exec it with a state it cannot read (it must fall back to a
// takeover). Not installed anywhere; the same supervisor as rollout-agent, with only `--version` and `run`.
import AgentKit
import Foundation

AgentStateSchema.written = AgentStateSchema.current + 1
AgentStateSchema.readable = [AgentStateSchema.current + 1]

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments {
case ["--version"]:
    print(AgentVersion.banner + " (state schema \(AgentStateSchema.written))")
case ["run", "--check-state"]:
    let (message, status) = AgentStateSchema.check()
    print(message)
    exit(status)
case let run where run.count == 3 && run[0] == "run" && run[1] == "--config":
    do {
        exit(try Supervisor.start(configPath: run[2]).run())
    } catch {
        FileHandle.standardError.write(Data("rollout-agent: \(error)\n".utf8))
        exit(1)
    }
default:
    FileHandle.standardError.write(
        Data("usage: rollout-agent-next-schema --version | run --check-state | run --config FILE\n".utf8))
    exit(64)
}
