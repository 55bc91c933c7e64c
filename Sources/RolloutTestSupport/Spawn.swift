internal import CAgentSupport
import Foundation

/// Starts `executable` with `arguments` via `posix_spawn`, stdin/stdout/stderr on `/dev/null`, a clean signal
/// mask and default dispositions (a child started from a Dispatch thread would otherwise inherit a blocked mask).
///
/// The caller owns the child: it must reap it (`waitpid`) or kill it (`ProcessTree.killTree`).
public func spawnProcess(_ executable: String, _ arguments: [String]) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for fd: Int32 in [0, 1, 2] {
        posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
    }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
    guard rc == 0 else {
        throw TestSupportError("posix_spawn \(executable) failed: \(String(cString: strerror(rc)))")
    }
    return pid
}

/// Waits for the child `pid` to exit and returns its exit status (128 + signal when killed by a signal).
public func waitForExit(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        if errno != EINTR { return -1 }
    }
    if cas_wifexited(status) != 0 { return cas_wexitstatus(status) }
    return 128 + cas_wtermsig(status)
}
