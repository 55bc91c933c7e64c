import Foundation
import RolloutTestSupport
import Testing

@testable import SSHClient

/// The shared shell's wire format, and its loop run by a local `sh` (no SSH): what the controller sends is what the
/// loop understands, and what the loop answers is what the reader cuts into responses.
@Suite struct SharedShellFramingTests {
    private typealias Reader = SharedShellFraming.Reader

    private func responses(from output: [UInt8]) throws -> (ready: Bool, [SharedShellFraming.Response]) {
        var reader = Reader()
        reader.append(output[...])
        guard reader.awaitReady() else { return (false, []) }
        var all: [SharedShellFraming.Response] = []
        while let next = try reader.nextResponse() { all.append(next) }
        return (true, all)
    }

    @Test func theLoopRunsEachRequestAndAnswersInFrames() throws {
        let requests: [(String, String?)] = [
            ("echo out; echo err >&2; exit 3", nil),
            ("cat; printf 'tail without newline'", "line one\nit's é\n\n"),
            ("printf '%s' 'it'\\''s'", nil),
            ("kill -TERM $$", nil),
            ("readlink /proc/$$/fd/0", nil),
        ]
        var input: [UInt8] = []
        for (index, (command, stdin)) in requests.enumerated() {
            input += SharedShellFraming.request(id: index + 1, command: command, stdin: stdin.map { Array($0.utf8) })
        }
        let run = try runCommand(
            "/bin/sh", ["-c", SharedShellFraming.loop], stdin: String(decoding: input, as: UTF8.self),
            timeout: .seconds(30))
        #expect(run.status == 0, "the loop ends cleanly at the end of its input: \(run.stderr)")
        let (ready, answers) = try responses(from: Array(run.stdout.utf8))
        #expect(ready)
        try #require(answers.count == 5)
        #expect(answers.map(\.id) == [1, 2, 3, 4, 5])
        #expect(answers[0] == .init(id: 1, status: 3, stdout: Array("out\n".utf8), stderr: Array("err\n".utf8)))
        #expect(String(decoding: answers[1].stdout, as: UTF8.self) == "line one\nit's é\n\ntail without newline")
        #expect(answers[2].stdout == Array("it's".utf8))
        #expect(answers[3].status == 128 + 15, "a signal shows as 128+N")
        // The command's stdin is a file in the loop's private directory, which is gone once the loop ended.
        let stdinFile = String(decoding: answers[4].stdout, as: UTF8.self).trimmingCharacters(in: .newlines)
        #expect(stdinFile.hasSuffix("/i") && stdinFile.contains("rollout-shell."))
        #expect(!FileManager.default.fileExists(atPath: (stdinFile as NSString).deletingLastPathComponent))
    }

    @Test func loginShellNoiseBeforeTheReadyLineIsSkipped() throws {
        var reader = Reader()
        let noise = "Welcome!\nnot rollout-shared-shell-1\nxrollout-shared-shell-1\n"
        reader.append(Array((noise + "rollout-shared-shell-1\n7 0 2 0\nhi").utf8)[...])
        let ready = reader.awaitReady()
        #expect(ready)
        let answer = try #require(try reader.nextResponse())
        #expect(answer == .init(id: 7, status: 0, stdout: Array("hi".utf8), stderr: []))
    }

    @Test func responsesArriveInPieces() throws {
        var reader = Reader()
        let bytes = Array("rollout-shared-shell-1\n1 0 3 2\nabcde2 1 0 4\nfail".utf8)
        var answers: [SharedShellFraming.Response] = []
        for byte in bytes {
            reader.append([byte][...])
            guard reader.awaitReady() else { continue }
            while let next = try reader.nextResponse() { answers.append(next) }
        }
        #expect(
            answers == [
                .init(id: 1, status: 0, stdout: Array("abc".utf8), stderr: Array("de".utf8)),
                .init(id: 2, status: 1, stdout: [], stderr: Array("fail".utf8)),
            ])
    }

    @Test func aMalformedHeaderIsAnError() throws {
        var reader = Reader()
        reader.append(Array("rollout-shared-shell-1\nsurprise output\n".utf8)[...])
        let ready = reader.awaitReady()
        #expect(ready)
        #expect(throws: SharedShellFraming.ProtocolError.self) { _ = try reader.nextResponse() }
    }

    @Test func requestsAreOneLineOfBase64() {
        let line = String(decoding: SharedShellFraming.request(id: 4, command: "a b\nc", stdin: nil), as: UTF8.self)
        #expect(line == "4 \(Data("a b\nc".utf8).base64EncodedString()) -\n")
        let withInput = SharedShellFraming.request(id: 5, command: "cat", stdin: Array("x".utf8))
        #expect(String(decoding: withInput, as: UTF8.self) == "5 Y2F0 eA==\n")
        #expect(!SharedShellFraming.loop.contains("'"), "the loop is passed as one single-quoted word")
    }
}
