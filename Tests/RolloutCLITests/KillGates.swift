import Foundation
import RolloutTestSupport

/// Gate files that hold a rollout at a precise point until the test has SIGKILLed its controller.
///
/// A gate is `DIR/<host>-<point>`. The `gate` script, run by the playbook's hooks (`before-verify`, `after-drain`,
/// ...) and by the release itself before it execs the demo service (`start-<version>`), returns at once when its
/// gate does not exist; when it does, it creates `<gate>.reached` and waits until the test removes the gate. A
/// `<gate>.fail` file makes it fail once instead (exit 7): a release whose start gate fails serves a wrong version
/// (`broken-<version>`) that time, so its verify step fails.
struct KillGates {
    let directory: String
    var script: String { directory + "/gate" }

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try """
        #!/bin/sh
        g="$1"
        if [ -f "$g.fail" ]; then rm -f "$g.fail"; echo "failing once at $g, as the test asked" >&2; exit 7; fi
        [ -f "$g" ] || exit 0
        : > "$g.reached"
        while [ -f "$g" ]; do sleep 0.05; done

        """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
    }

    func path(_ host: String, _ point: String) -> String { "\(directory)/\(host)-\(point)" }

    /// Closes the gate: the next run of `point` on `host` waits there.
    func arm(_ host: String, _ point: String) {
        _ = FileManager.default.createFile(atPath: path(host, point), contents: nil)
    }

    /// Opens one gate: what waits there goes on.
    func open(_ host: String, _ point: String) {
        try? FileManager.default.removeItem(atPath: path(host, point))
        try? FileManager.default.removeItem(atPath: path(host, point) + ".reached")
    }

    /// The next run of `point` on `host` fails (once).
    func failOnce(_ host: String, _ point: String) {
        _ = FileManager.default.createFile(atPath: path(host, point) + ".fail", contents: nil)
    }

    /// Waits until the rollout waits at the gate (true), or `timeout` passes or `gaveUp` says to stop (false).
    func waitReached(
        _ host: String, _ point: String, timeout: Duration = .seconds(90), gaveUp: () -> Bool = { false }
    ) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && !gaveUp() {
            if FileManager.default.fileExists(atPath: path(host, point) + ".reached") { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return FileManager.default.fileExists(atPath: path(host, point) + ".reached")
    }

    /// Opens every gate and forgets every failure asked for: whatever waits goes on (an orphaned hook of a killed
    /// controller exits, a release waiting to start starts).
    func openAll() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name != "gate" { try? FileManager.default.removeItem(atPath: directory + "/" + name) }
    }

    /// `hooks:` for a playbook: on the controller, before and after each of `phases` (the hookable phases its hosts
    /// go through: `rollout check` refuses a hook that would never run), the gate `<phase>` of the host
    /// (`before-verify`, `after-undrain`, ...).
    func hooksYAML(phases: Set<String>) -> String {
        var lines = ["hooks:"]
        for phase in phases.sorted() {
            for when in ["before", "after"] {
                lines.append(
                    "  \(when)_\(phase): [{run: \"\(script) \(directory)/{{ host.name }}-\(when)-\(phase)\", "
                        + "on: controller, timeout: 300s}]")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The release the matrix deploys: a script that waits at the gate `start-<version>` of its host, then execs the
    /// real demo service with its version (a wrong one when the gate fails) (both read from its path, `<cluster>/<host>/root/srv/releases/<v>/...`,
    /// see `DeployFixture`). The same bytes for every version, so every version is a real upload and a real start.
    func stageRelease(in fixture: DeployFixture) throws {
        for host in fixture.cluster.hosts {
            let hostDirectory = (host.rootDirectory as NSString).deletingLastPathComponent
            guard host.rootDirectory.hasSuffix("/root"), (hostDirectory as NSString).lastPathComponent == host.name
            else { throw TestSupportError("the release reads the host from <host>/root: \(host.rootDirectory)") }
        }
        let demo = try BuiltProducts.executable("rollout-demo-service")
        let path = fixture.project + "/artifact/rollout-demo-service"
        try? FileManager.default.removeItem(atPath: path)
        try """
        #!/bin/sh
        real=$(readlink -f "$0")
        release=${real%/*}
        version=${release##*/}
        host=${real%/root/srv/releases/*}
        host=${host##*/}
        \(script) "\(directory)/$host-start-$version" || version="broken-$version"
        exec "\(demo)" --version-string "$version"

        """.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }
}
