import Foundation
import RolloutTestSupport
import Synchronization

/// A deliberately misbehaving HTTP server for the load generator's tests: it answers each
/// request on a connection according to `behaviour`, one connection at a time, on its own thread.
final class LoadGeneratorTestServer: Sendable {
    enum Behaviour: Sendable {
        /// Start a response, then reset the connection (SO_LINGER 0 + close).
        case resetMidResponse
        /// Start a response, then close the connection cleanly (FIN) before the body is complete.
        case eofMidResponse
        /// A complete 200 response with `Connection: close`, then a clean close.
        case closeAfterResponse
    }

    let listener: TestListener
    private let behaviour: Behaviour
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    let connectionsServed = Atomic<Int>(0)

    init(_ behaviour: Behaviour) throws {
        listener = try TestListener.loopbackTCP()
        self.behaviour = behaviour
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.start()
    }

    var port: Int { listener.port }

    /// Stops the accept loop (within 50 ms) and waits for it.
    func stop() {
        stopped.store(true, ordering: .releasing)
        finished.wait()
        listener.close()
    }

    private func serve() {
        while !stopped.load(ordering: .acquiring) {
            var pollSet = pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pollSet, 1, 50) > 0 else { continue }
            let fd = accept(listener.fd, nil, nil)
            guard fd >= 0 else { continue }
            handle(fd)
            connectionsServed.add(1, ordering: .relaxed)
        }
    }

    private func handle(_ fd: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Read the request head (the load generator sends no body).
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else {
                close(fd)
                return
            }
            received += chunk[0..<count]
        }
        let text: String
        switch behaviour {
        case .resetMidResponse, .eofMidResponse:
            text = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"
        case .closeAfterResponse:
            text = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-Version: scripted\r\nConnection: close\r\n\r\nok\n"
        }
        _ = text.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        if case .resetMidResponse = behaviour {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
        close(fd)
    }
}
