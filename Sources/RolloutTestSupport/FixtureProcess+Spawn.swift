import Foundation

extension FixtureProcess {
    /// `posix_spawn` with the file actions and attributes described on `FixtureProcess`.
    static func spawn(
        program: String, argv: [String], environment: [String: String], inherited: [Int32], logPath: String
    ) throws -> pid_t {
        // Move the sockets out of the way first: dup2 onto 3... must not overwrite a source that
        // happens to sit at 3 or 4. The copies are close-on-exec, so only the dup2 targets survive.
        let sources = try inherited.map { fd in
            try socketCall("fcntl(F_DUPFD_CLOEXEC)") { fcntl(fd, F_DUPFD_CLOEXEC, 100) }
        }
        defer { for fd in sources { close(fd) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // No posix_spawn_file_actions_addclosefrom_np without _GNU_SOURCE: close what is open now.
        // A close action on an fd that is no longer open is ignored by glibc.
        for fd in openFileDescriptors() where fd > 2 && !sources.contains(fd) {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        for (index, fd) in sources.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, fd, Int32(3 + index))
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptySet = sigset_t()
        sigemptyset(&emptySet)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &emptySet)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in cArguments + cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, program, &actions, &attributes, cArguments, cEnvironment)
        guard rc == 0 else {
            throw TestSupportError(
                "posix_spawn \(program) failed: \(errnoDescription(rc)); is it built and executable?")
        }
        return pid
    }

    /// The fds open in this process, from `/proc/self/fd`.
    private static func openFileDescriptors() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap { Int32($0) }
    }
}
