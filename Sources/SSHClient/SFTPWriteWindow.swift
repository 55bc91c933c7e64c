/// The bytes of an upload that were read from the local file but not yet acknowledged by the SFTP server.
///
/// `libssh2_sftp_write` sends every byte it is given as pipelined write requests and returns as soon as the
/// first of them is acknowledged; the next call must start at the first unacknowledged byte and may carry more
/// behind it. Keeping ``capacity`` bytes behind that point at every call keeps about ``capacity`` bytes in
/// flight for the whole file, instead of letting the pipe drain to nothing at the end of each chunk read — on a
/// link with a real round-trip time the throughput is about what is in flight per round trip.
struct SFTPWriteWindow {
    /// How many unacknowledged bytes to keep in flight.
    let capacity: Int
    private var storage: [UInt8] = []
    private var start = 0

    init(capacity: Int) {
        precondition(capacity > 0, "an SFTP write window needs room for at least one byte")
        self.capacity = capacity
        storage.reserveCapacity(capacity)
    }

    /// The unacknowledged bytes, oldest first: what the next `libssh2_sftp_write` call gets.
    var pending: ArraySlice<UInt8> { storage[start...] }

    /// Whether the pending bytes are fewer than ``capacity`` (read more before the next write).
    var wantsMore: Bool { storage.count - start < capacity }

    /// How many bytes may be appended now without passing ``capacity``.
    var room: Int { max(0, capacity - (storage.count - start)) }

    /// Appends bytes read from the file behind the pending ones.
    mutating func append(_ bytes: ArraySlice<UInt8>) {
        // Moving the pending bytes to the front only once the acknowledged ones fill half the storage keeps
        // each byte copied at most twice, however small the acknowledgements.
        if start > 0 && start >= storage.count / 2 {
            storage.removeSubrange(0..<start)
            start = 0
        }
        storage.append(contentsOf: bytes)
    }

    /// Drops the first `count` pending bytes, which the server acknowledged.
    mutating func acknowledge(_ count: Int) {
        precondition(count >= 0 && count <= storage.count - start, "acknowledged more than was pending")
        start += count
        if start == storage.count {
            storage.removeAll(keepingCapacity: true)
            start = 0
        }
    }
}
