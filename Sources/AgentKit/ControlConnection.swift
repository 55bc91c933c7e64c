import Glibc

/// One accepted control connection, waiting for its request line or for its answer.
final class ControlConnection {
    let fd: Int32
    let acceptedMono: Int64
    var buffer: [UInt8] = []
    /// Set once the request line was parsed; the connection then waits for `respond`.
    var request: ControlRequest?
    /// For a request with a fencing token: the highest token seen once it was admitted (echoed in the answer).
    var highestFence: Int64?

    init(fd: Int32, acceptedMono: Int64) {
        self.fd = fd
        self.acceptedMono = acceptedMono
    }

    /// Writes the answer and closes the connection.
    func respond(_ response: ControlResponse) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        SocketAddress.setTimeouts(fd, milliseconds: 5000)
        try? SocketAddress.writeAll(fd, response.encoded())
        close(fd)
    }
}
