import AgentProtocol
import Foundation
import RolloutText

extension SimulatedHost {
    /// The exit status, stdout and stderr of one command line (called under `lock`).
    func answer(_ argv: [String]) -> (Int32, String, String) {
        guard let program = argv.first else { return (0, "", "") }
        let operands = Array(argv.dropFirst().filter { !$0.hasPrefix("-") })
        switch program {
        case "readlink":
            guard let path = operands.last, case .symlink(let target)? = files[path] else { return (1, "", "") }
            return (0, target + "\n", "")
        case "mkdir":
            for path in operands { files.makeDirectory(path) }
            return (0, "", "")
        case "rm":
            for path in operands { files.remove(path) }
            return (0, "", "")
        case "mv":
            guard operands.count == 2, files.move(operands[0], to: operands[1]) else {
                return (1, "", "mv: cannot stat '\(operands.first ?? "")': No such file or directory\n")
            }
            return (0, "", "")
        case "ln":
            guard operands.count == 2 else { return (1, "", "ln: missing operand\n") }
            files.set(operands[1], .symlink(target: operands[0]))
            return (0, "", "")
        case "sha256sum":
            guard let path = operands.last, case .file(let sha256)? = files[path] else {
                return (1, "", "sha256sum: \(operands.last ?? ""): No such file or directory\n")
            }
            return (0, "\(sha256)  \(path)\n", "")
        case "test":
            guard let path = operands.last, let entry = files[path] else { return (1, "", "") }
            return (argv.contains("-d") && entry != .directory ? 1 : 0, "", "")
        case "ls":
            guard let path = operands.last, let names = files.list(path) else {
                return (2, "", "ls: cannot access '\(operands.last ?? "")': No such file or directory\n")
            }
            return (0, names.map { $0 + "\n" }.joined(), "")
        case "sh":
            // Hooks and `command` health checks: they pass unless the generation serving is the unhealthy one.
            return unhealthyGeneration == generation
                ? (1, "", "simulated failure: unhealthy generation\n") : (0, "", "")
        case "uname":
            return (0, "Linux simulated\n", "")
        default:
            // The command word, wherever options (`--fence N`) put it.
            if argv.count >= 3, argv[1] == "ctl" {
                let fence = argv.firstIndex(of: "--fence").flatMap { $0 + 1 < argv.count ? Int64(argv[$0 + 1]) : nil }
                return agent(argv.last { ControlRequest.commands.contains($0) } ?? "", fence: fence)
            }
            return (0, "", "")
        }
    }

    /// `rollout-agent ctl ... COMMAND`: the answer the agent prints (its protocol's own type, `AgentProtocol`) and the
    /// exit status.
    private func agent(_ command: String, fence: Int64?) -> (Int32, String, String) {
        var answer = ControlResponse(command: command, outcome: "ok")
        // Echoed as a current agent does (a simulated host never refuses one: one controller drives it).
        (answer.fence, answer.highestFence) = (fence, fence)
        var status: Int32 = 0
        switch command {
        case "status":
            answer.state = serving == nil ? "idle" : "running"
            answer.generations =
                serving.map { version in
                    [
                        GenerationInfo(
                            generation: generation, pid: Int32(10_000 + generation), release: nil, version: version,
                            state: "ready", started: "", readyMs: nil, status: nil, listeners: [])
                    ]
                } ?? []
            answer.version = serving
        case "restart":
            guard let root, case .symlink(let target)? = files["\(root)/current"],
                let version = target.split(separator: "/").last.map(String.init),
                files["\(root)/releases/\(version)"] == .directory
            else {
                answer.outcome = "failed"
                answer.reason = "current does not point to a release directory"
                return (1, String(decoding: answer.encoded(), as: UTF8.self), "")
            }
            answer.version = version
            answer.release = "\(root)/releases/\(version)"
            if takeFailure(.restart) {
                answer.outcome = "failed"
                answer.reason =
                    "simulated failure: generation \(generation + 1) exited with status 1 before it was ready"
                answer.logTail = ["simulated failure (failure-rate, seed \(fleet.spec.seed))"]
                status = 1
            } else {
                answer.oldPid = Int32(10_000 + generation)
                generation += 1
                serving = version
                answer.generation = generation
                answer.newPid = Int32(10_000 + generation)
                if takeFailure(.verify) { unhealthyGeneration = generation }
            }
        default:
            break
        }
        return (status, String(decoding: answer.encoded(), as: UTF8.self), "")
    }
}

/// Splits the command lines `ShellQuote.join` writes back into their argv: plain words, single-quoted words with
/// `'\''` for a quote; an unquoted `2>/dev/null` is a redirection, not an argument.
enum SimulatedCommandLine {
    static func split(_ line: String) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quoted = false
        var wasQuoted = false
        var escaped = false
        for character in line {
            if escaped {
                word.append(character)
                escaped = false
            } else if quoted {
                if character == "'" { quoted = false } else { word.append(character) }
            } else if character == "'" {
                quoted = true
                inWord = true
                wasQuoted = true
            } else if character == "\\" {
                inWord = true
                wasQuoted = true
                escaped = true
            } else if character == " " {
                if inWord && (wasQuoted || word != "2>/dev/null") { words.append(word) }
                word = ""
                inWord = false
                wasQuoted = false
            } else {
                word.append(character)
                inWord = true
            }
        }
        if inWord && (wasQuoted || word != "2>/dev/null") { words.append(word) }
        return words
    }
}
