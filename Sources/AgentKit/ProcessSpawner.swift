internal import CAgentSupport
import Foundation

/// Starts children through `cas_spawn` (fork + async-signal-safe set-up + exec).
enum ProcessSpawner {
    /// Starts `plan` with `listeners` at fd 3... and `extraEnvironment`; stdout/stderr go to `outputFD`.
    /// `LISTEN_PID` is set to the child's own pid in the child, after fork.
    static func spawn(
        _ plan: LaunchPlan, listeners: [Listener], extraEnvironment: [String], outputFD: Int32
    ) throws -> pid_t {
        var env = plan.environment.filter { !$0.hasPrefix("LISTEN_") && !$0.hasPrefix("NOTIFY_SOCKET=") }
        env += extraEnvironment
        if !listeners.isEmpty {
            env.append("LISTEN_FDS=\(listeners.count)")
            env.append("LISTEN_FDNAMES=\(listeners.map(\.name).joined(separator: ":"))")
        }
        return try spawnRaw(
            path: plan.executable, arguments: plan.arguments, environment: env,
            setListenPID: !listeners.isEmpty, inheritFDs: listeners.map(\.fd), outputFD: outputFD,
            workingDirectory: plan.workingDirectory, identity: plan.identity, newSession: true)
    }

    /// The general form, also used for `--version` checks of a new agent binary.
    static func spawnRaw(
        path: String, arguments: [String], environment: [String], setListenPID: Bool, inheritFDs: [Int32],
        outputFD: Int32, workingDirectory: String?, identity: UserLookup.Identity?, newSession: Bool
    ) throws -> pid_t {
        let argv = arguments.map { strdup($0) } + [nil]
        // Room for any pid: the child writes its own digits over the padding.
        let slot = setListenPID ? strdup("LISTEN_PID=" + String(repeating: "0", count: 24)) : nil
        let envp = environment.map { strdup($0) } + (slot.map { [$0] } ?? []) + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let groups = identity?.groups ?? []
        var childErrno: Int32 = 0
        var step: UnsafePointer<CChar>?
        let pid = path.withCString { cPath in
            (workingDirectory ?? "").withCString { cwd in
                argv.withUnsafeBufferPointer { argvBuffer in
                    envp.withUnsafeBufferPointer { envpBuffer in
                        inheritFDs.withUnsafeBufferPointer { fds in
                            groups.withUnsafeBufferPointer { groupBuffer in
                                var request = cas_spawn_request(
                                    path: cPath, argv: argvBuffer.baseAddress, envp: envpBuffer.baseAddress,
                                    listen_pid_slot: slot, inherit_fds: fds.baseAddress,
                                    inherit_count: Int32(inheritFDs.count), stdout_fd: outputFD,
                                    working_directory: workingDirectory == nil ? nil : cwd,
                                    new_session: newSession ? 1 : 0, change_user: identity == nil ? 0 : 1,
                                    uid: identity?.uid ?? 0, gid: identity?.gid ?? 0,
                                    groups: groupBuffer.baseAddress, group_count: Int32(groups.count))
                                return cas_spawn(&request, &childErrno, &step)
                            }
                        }
                    }
                }
            }
        }
        if pid < 0 {
            let stepName = step.map { String(cString: $0) } ?? "spawn"
            throw AgentError(
                "launch.failed",
                "cannot start \(path): \(stepName) failed: \(String(cString: strerror(childErrno))) [errno \(childErrno)]"
            )
        }
        return pid
    }
}
