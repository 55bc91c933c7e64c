import RolloutDev
import Testing

@Suite("gitignore-style patterns and the watch filter")
struct PathPatternTests {
    func matches(_ pattern: String, _ path: String, directory: Bool = false) -> Bool {
        PathPattern(pattern)!.matches(path.split(separator: "/"), isDirectory: directory)
    }

    @Test("a name without a slash matches at any depth; with a slash it is anchored")
    func anchoring() {
        #expect(matches("*.o", "a.o"))
        #expect(matches("*.o", "src/deep/a.o"))
        #expect(!matches("*.o", "a.oo"))
        #expect(matches("/build", "build", directory: true))
        #expect(!matches("/build", "src/build", directory: true))
        #expect(matches("doc/*.txt", "doc/a.txt"))
        #expect(!matches("doc/*.txt", "doc/x/a.txt"), "* never crosses a /")
        #expect(!matches("doc/*.txt", "x/doc/a.txt"))
    }

    @Test("** spans directories; a trailing / is for directories only; ! and comments")
    func specials() {
        #expect(matches("**/logs", "logs", directory: true))
        #expect(matches("**/logs", "a/b/logs", directory: true))
        #expect(matches("a/**/z", "a/z"))
        #expect(matches("a/**/z", "a/b/c/z"))
        #expect(matches("out/**", "out/x/y"))
        #expect(!matches("out/**", "out", directory: true))
        #expect(matches("out/", "out", directory: true))
        #expect(!matches("out/", "out"), "a file named out is not the directory out/")
        #expect(PathPattern("!keep.o")?.negated == true)
        #expect(PathPattern("# comment") == nil)
        #expect(PathPattern("   ") == nil)
        #expect(matches("\\#name", "#name"))
        #expect(matches("[ab].c", "b.c") && !matches("[ab].c", "c.c"))
    }

    @Test("the filter: .gitignore per directory, ! re-includes, an ignored directory hides its files, --exclude wins")
    func filter() {
        var filter = WatchFilter(excludes: ["*.tmp"], includes: [], stateDirectory: ".rollout/dev")
        filter.addGitignore("out/\n*.log\n!important.log\n# comment\n", in: "")
        filter.addGitignore("generated.go\n", in: "api")
        #expect(filter.isIgnored("out", isDirectory: true))
        #expect(filter.isIgnored("out/bin/app", isDirectory: false), "inside an ignored directory")
        #expect(filter.isIgnored("x/y.log", isDirectory: false))
        #expect(!filter.isIgnored("important.log", isDirectory: false))
        #expect(filter.isIgnored("api/generated.go", isDirectory: false))
        #expect(!filter.isIgnored("generated.go", isDirectory: false), "api/.gitignore applies below api/ only")
        #expect(filter.isIgnored("a.tmp", isDirectory: false))
        #expect(
            filter.isIgnored(".git", isDirectory: true)
                && filter.isIgnored(".rollout/dev/agent.yml", isDirectory: false))
        #expect(filter.counts("src/main.swift"))

        var restricted = WatchFilter(excludes: [], includes: ["*.go", "go.mod"], stateDirectory: ".rollout/dev")
        restricted.addGitignore("vendor/\n", in: "")
        #expect(restricted.counts("cmd/main.go") && restricted.counts("go.mod"))
        #expect(!restricted.counts("README.md"))
        #expect(!restricted.counts("vendor/x/y.go"))
        // A .gitignore that changes replaces its rules.
        restricted.addGitignore("", in: "")
        #expect(restricted.counts("vendor/x/y.go"))
    }
}

@Suite("change batches settle before a build")
struct ChangeBatchTests {
    @Test("due once no change came for the quiet period; a burst is one batch")
    func quietPeriod() {
        var batch = ChangeBatch(quiet: 50, maxWait: 2_000)
        #expect(batch.deadline == nil && batch.takeIfDue(at: 0) == nil)
        for i in 0..<50 { batch.add(["src/f\(i % 7).txt"], at: Int64(1_000 + i * 4)) }  // 50 writes in 200 ms
        #expect(batch.takeIfDue(at: 1_240) == nil, "the last write was 44 ms ago")
        let paths = batch.takeIfDue(at: 1_246)
        #expect(paths?.count == 7)
        #expect(batch.isEmpty && batch.deadline == nil)
    }

    @Test("a file rewritten without pause is still built after maxWait")
    func maxWait() {
        var batch = ChangeBatch(quiet: 50, maxWait: 500)
        for t in stride(from: Int64(0), through: 600, by: 10) {
            batch.add(["log.txt"], at: t)
            if t < 500 { #expect(batch.takeIfDue(at: t) == nil) }
        }
        #expect(batch.deadline == 500)
    }
}
