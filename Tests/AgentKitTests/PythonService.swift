import Foundation
import RolloutTestSupport

/// A service in another language: Python, using the inherited fd 3 and `NOTIFY_SOCKET` directly.
/// It checks `LISTEN_PID`, reports its version (the release directory's name) and pid in headers,
/// serves `/slow?ms=N` and `/inherited` (its fds and signal mask at start), and on SIGTERM stops accepting and finishes in-flight requests.
/// With `LOG_EVERY_MS` it prints a line every that many ms, with SIGPIPE at its default action.
enum PythonService {
    static let script = #"""
        import json, os, signal, socket, sys, threading, time
        # What the agent handed over, before anything else opens an fd: listdir's own fd is the lowest
        # free one, so [0, 1, 2, 3, 4] means nothing but stdio and the listener leaked in.
        inherited = {"fds": sorted(int(fd) for fd in os.listdir("/proc/self/fd")),
                     "status": dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines()
                                    if line.startswith(("SigBlk", "Uid")))}
        from http.server import BaseHTTPRequestHandler, HTTPServer
        from socketserver import ThreadingMixIn

        if os.environ.get("LISTEN_PID") != str(os.getpid()):
            sys.exit("LISTEN_PID %s is not my pid %d" % (os.environ.get("LISTEN_PID"), os.getpid()))
        count = int(os.environ["LISTEN_FDS"])
        version = os.path.basename(os.environ.get("ROLLOUT_RELEASE", "unknown"))

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                if self.path == "/inherited":
                    body = json.dumps(inherited).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if self.path.startswith("/slow"):
                    time.sleep(int(self.path.split("ms=")[1]) / 1000 if "ms=" in self.path else 1)
                body = ("%s %d\n" % (version, os.getpid())).encode()
                self.send_response(200)
                self.send_header("X-Version", version)
                self.send_header("X-Pid", str(os.getpid()))
                self.send_header("Content-Length", str(len(body)))
                if stopping.is_set():
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass

        class Server(ThreadingMixIn, HTTPServer):
            daemon_threads = False
            block_on_close = True

        stopping = threading.Event()
        servers = []
        for i in range(count):
            sock = socket.socket(fileno=3 + i)
            srv = Server(sock.getsockname(), Handler, bind_and_activate=False)
            srv.socket = sock
            servers.append(srv)
            threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()

        def notify(message):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.sendto(message.encode(), os.environ["NOTIFY_SOCKET"])
            s.close()

        # The handler takes no lock: Python runs it in the main thread between bytecodes, and an Event's set()
        # from there can deadlock on the lock that thread holds in wait() (seen under load as a drain that hangs).
        term = []
        signal.signal(signal.SIGTERM, lambda *a: term.append(1))
        log_every = os.environ.get("LOG_EVERY_MS")
        if log_every:
            # Like a C service: SIGPIPE at its default action, so a write to an unread stdout kills it.
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            def log_lines():
                n = 0
                while True:
                    n += 1
                    print("log line %d from pid %d" % (n, os.getpid()), flush=True)
                    time.sleep(int(log_every) / 1000)
            threading.Thread(target=log_lines, daemon=True).start()
        notify("READY=1\nSTATUS=python %s" % version)
        print("python service %s pid %d ready" % (version, os.getpid()), flush=True)
        while not term:
            time.sleep(0.02)
        stopping.set()
        for srv in servers:
            srv.shutdown()      # stop accepting: queued connections stay in the agent's socket
            srv.server_close()  # waits for in-flight requests
        print("python service drained", flush=True)
        """#

    /// An agent fixture (not started) whose release `p1` is this service, printing a line every `milliseconds`.
    static func loggingFixture(every milliseconds: Int) throws -> AgentFixture {
        let python = try BuiltProducts.tool("python3")
        let fixture = try AgentFixture(command: [python, "{release}/service.py"])
        let directory = "\(fixture.root)/releases/p1"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try script.write(toFile: "\(directory)/service.py", atomically: true, encoding: .utf8)
        try fixture.activate("p1")
        fixture.environment["LOG_EVERY_MS"] = "\(milliseconds)"
        return fixture
    }
}
