import RolloutText

/// The HAProxy runtime API requests the HAProxy driver sends, and the relay that carries them to an admin socket
/// on another host: the one source for both the driver (`RolloutGateway`) and the plan (`rollout plan`).
public enum HAProxyRuntime {
    /// `set server BACKEND/SERVER state STATE` (`drain`, `ready` or `maint`); HAProxy answers nothing on success.
    public static func setState(backend: String, server: String, state: String) -> String {
        "set server \(backend)/\(server) state \(state)"
    }

    /// `show servers state BACKEND`: the admin and operational state of every server, with a header line.
    public static func showServersState(backend: String) -> String { "show servers state \(backend)" }

    /// `show stat`: CSV statistics; the server row's `scur` is its current sessions.
    public static let showStat = "show stat"

    /// The argv that relays its standard input to the admin socket `endpoint` (a Unix socket path or `host:port`)
    /// on the gateway host and prints the answer: `socat` when it is installed (the tool HAProxy's documentation
    /// uses), else a short `python3` script, else exit 127 with a message.
    public static func relay(endpoint: String) -> [String] {
        let quoted = ShellQuote.quote(endpoint)
        let socatTarget = endpoint.hasPrefix("/") ? "UNIX-CONNECT:\(endpoint)" : "TCP:\(endpoint)"
        let script =
            "if command -v socat >/dev/null 2>&1; then exec socat - \(ShellQuote.quote(socatTarget)); "
            + "elif command -v python3 >/dev/null 2>&1; then exec python3 -c \(ShellQuote.quote(pythonRelay)) "
            + "\(quoted); else echo 'rollout: no socat or python3 on this host' >&2; exit 127; fi"
        // `/bin/sh` by path: the relay must work for a gateway user whose login shell is not a POSIX one and
        // whatever its PATH holds.
        return ["/bin/sh", "-c", script]
    }

    /// Connects to the argument (a path or `host:port`), sends standard input, prints the answer until EOF. One
    /// line without single quotes, so the plan can show the relay readably.
    static let pythonRelay =
        #"import socket,sys;a=sys.argv[1];h,_,p=a.rpartition(":");"#
        + #"s=socket.socket(socket.AF_UNIX) if a.startswith("/") else socket.create_connection((h.strip("[]"),int(p)),30);"#
        + #"a.startswith("/") and s.connect(a);s.sendall(sys.stdin.buffer.read());"#
        + #"[sys.stdout.buffer.write(b) for b in iter(lambda:s.recv(65536),b"")]"#
}
