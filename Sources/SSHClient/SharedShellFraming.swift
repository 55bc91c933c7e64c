import Foundation
import RolloutText

/// The wire format between the controller and a shared shell (``SharedShell``): pure, no I/O.
///
/// The shell is one `sh` loop per connection, started once through the user's login shell. It reads one request
/// per line from its standard input — `ID BASE64(command) BASE64(stdin)|-` — runs the command with `sh` (stdin,
/// stdout and stderr redirected to files in a private temporary directory, so a command can neither read the
/// loop's input nor interleave its output with a frame) and answers `ID STATUS STDOUT_BYTES STDERR_BYTES\n`
/// followed by exactly those bytes of stdout, then stderr. Anything the login shell prints before the loop starts
/// (a chatty `~/.bashrc`) comes before the ready line and is skipped.
enum SharedShellFraming {
    /// The line the loop prints once it is ready for requests; versioned with the format.
    static let readyLine = "rollout-shared-shell-1"

    /// The loop, in POSIX `sh`. It contains no single quote, so it can be passed as one single-quoted word.
    /// The ready line is printed through `base64 -d`, so a host whose `base64` cannot decode never reports ready
    /// (and gets a channel per command instead). `s=$?` right after the command: the exit status, 128+N when a
    /// signal killed it. The temporary directory is removed when the loop ends (end of input when the channel
    /// closes, or a signal).
    static let loop = """
        d=$(mktemp -d "${TMPDIR:-/tmp}/rollout-shell.XXXXXX") || exit 97
        trap "rm -rf $d" EXIT
        trap "exit 1" HUP INT TERM PIPE
        printf %s \(Data(readyLine.utf8).base64EncodedString()) | base64 -d && echo || exit 98
        while read -r id cmd input; do
          printf %s "$cmd" | base64 -d >"$d/c" || exit 98
          if [ "$input" = - ]; then : >"$d/i"; else printf %s "$input" | base64 -d >"$d/i" || exit 98; fi
          sh "$d/c" <"$d/i" >"$d/o" 2>"$d/e"
          s=$?
          echo "$id $s $(wc -c <"$d/o") $(wc -c <"$d/e")"
          cat "$d/o" "$d/e"
        done
        """

    /// The command line that starts the loop: the login shell runs once, then replaces itself with `sh`.
    static var startCommand: String { ShellQuote.join(["exec", "sh", "-c", loop]) }

    /// One request line.
    static func request(id: Int, command: String, stdin: [UInt8]?) -> [UInt8] {
        let input = stdin.map { $0.isEmpty ? "" : Data($0).base64EncodedString() } ?? ""
        let line = "\(id) \(Data(command.utf8).base64EncodedString()) \(input.isEmpty ? "-" : input)\n"
        return Array(line.utf8)
    }

    /// One answer of the loop.
    struct Response: Equatable {
        var id: Int
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]
    }

    /// The bytes were not a frame of this format (a command wrote to the loop's own output, or the loop broke).
    struct ProtocolError: Error, CustomStringConvertible {
        var description: String
    }

    /// Accumulates the loop's standard output and cuts it into the ready line and responses.
    struct Reader {
        private var buffer: [UInt8] = []
        private(set) var isReady = false

        mutating func append(_ bytes: ArraySlice<UInt8>) { buffer += bytes }

        /// Consumes everything up to and including the ready line; returns whether it has arrived.
        mutating func awaitReady() -> Bool {
            if isReady { return true }
            let marker = Array((readyLine + "\n").utf8)
            var start = 0
            // The ready line starts the output or follows a newline (login-shell noise before it is skipped).
            while let index = find(marker, from: start) {
                if index == 0 || buffer[index - 1] == UInt8(ascii: "\n") {
                    buffer.removeFirst(index + marker.count)
                    isReady = true
                    return true
                }
                start = index + 1
            }
            return false
        }

        /// The next complete response, nil while more bytes are needed.
        mutating func nextResponse() throws -> Response? {
            guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) else {
                if buffer.count > 256 { throw ProtocolError(description: "no frame header in \(preview)") }
                return nil
            }
            let fields = String(decoding: buffer[..<newline], as: UTF8.self).split(separator: " ")
            guard fields.count == 4, let id = Int(fields[0]), let status = Int32(fields[1]),
                let out = Int(fields[2]), let err = Int(fields[3]), out >= 0, err >= 0
            else {
                throw ProtocolError(description: "malformed frame header \(preview)")
            }
            let bodyStart = newline + 1
            guard buffer.count - bodyStart >= out + err else { return nil }
            let response = Response(
                id: id, status: status, stdout: Array(buffer[bodyStart..<bodyStart + out]),
                stderr: Array(buffer[bodyStart + out..<bodyStart + out + err]))
            buffer.removeFirst(bodyStart + out + err)
            return response
        }

        private var preview: String {
            String(decoding: buffer.prefix(80), as: UTF8.self).debugDescription
        }

        private func find(_ needle: [UInt8], from start: Int) -> Int? {
            guard buffer.count >= needle.count, start <= buffer.count - needle.count else { return nil }
            for index in start...(buffer.count - needle.count)
            where buffer[index] == needle[0] && buffer[index..<index + needle.count].elementsEqual(needle) {
                return index
            }
            return nil
        }
    }
}
