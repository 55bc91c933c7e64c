import Foundation
import RolloutCore
import RolloutGateway
import RolloutStore

extension HostDeployer {
    /// Carries out one step's actions in order; returns what the journal keeps about it.
    func perform(_ step: PlanStep, shell: HostShell, agent: AgentControl) async throws -> JournalJSON? {
        var details: [String: JournalJSON] = [:]
        for action in step.actions {
            switch action {
            case .run(let command, let hook):
                if let gateway = context.gateway, hook == nil, step.phase == .drain || step.phase == .undrain {
                    let target = try gateway.target(plan.name)
                    let status =
                        try await step.phase == .drain
                        ? gateway.gateway.drain(target) : gateway.gateway.restore(target)
                    details["gateway"] = try JournalJSON(encoding: status)
                } else if step.phase == .restart && hook == nil {
                    if let gateway = context.gateway, plan.strategy == .drain {
                        // A gateway reload during the drain wait may have put the host back: drain it again.
                        let target = try gateway.target(plan.name)
                        let recheck = try await gateway.gateway.recheckDrained(target)
                        details["gateway_recheck"] = try JournalJSON(encoding: recheck.status)
                        if recheck.reapplied, let spec = drainWait {
                            _ = try await waitUntilDrained(
                                gateway: gateway.gateway, target: target, deadline: spec.deadline,
                                interval: spec.interval)
                        }
                    }
                    let answer = try await agent.restart(timeout: context.plan.timeouts.restart)
                    details["agent"] = answer.json
                    guard answer.outcome == "ok" else {
                        var message =
                            "the agent on \(plan.name) did not switch to \(version): "
                            + (answer.reason ?? answer.outcome)
                        if case .object(let members) = answer.json, case .array(let tail)? = members["log_tail"] {
                            let lines = tail.compactMap { if case .string(let s) = $0 { s } else { nil } }
                            if !lines.isEmpty { message += " (log: \(lines.suffix(5).joined(separator: " | ")))" }
                        }
                        throw DeployError(.restart, message)
                    }
                } else if step.phase == .prepare && command.argv.first == "readlink" {
                    continue  // The controller read `current` before the rollout (fromVersion).
                } else {
                    try await context.run(command, on: shell)
                }
            case .upload(let upload):
                details = try await self.upload(upload, shell: shell)
            case .waitDrained(let status, let count, let deadline, let interval):
                if let gateway = context.gateway {
                    let wait = try await waitUntilDrained(
                        gateway: gateway.gateway, target: try gateway.target(plan.name), deadline: deadline,
                        interval: interval)
                    details["wait"] = .object([
                        "drained": .bool(wait.drained), "polls": .int(Int64(wait.polls)),
                        "connections": wait.status.connections.map { .int(Int64($0)) } ?? .null,
                    ])
                } else {
                    details["connections"] = try await waitDrained(
                        status, count: count, deadline: deadline, interval: interval, shell)
                }
            case .health(let check):
                let seen = try await HealthVerifier(shell: shell).verify([check]) { context.stop.current == .immediate }
                details["health"] = .array((details["health"]?.arrayValue ?? []) + (seen.arrayValue ?? []))
            case .pruneReleases(let list, let keep):
                let listing = try await shell.run(list).stdoutText.split(separator: "\n").map(String.init)
                let delete = ReleasePruning.releasesToDelete(
                    newestFirst: listing, keep: keep, current: version, previous: fromVersion)
                if let command = ReleaseCommands(host: plan.name, root: plan.root).delete(delete) {
                    try await shell.run(command)
                }
                details["deleted"] = .array(delete.map(JournalJSON.string))
            }
        }
        return details.isEmpty ? nil : .object(details)
    }

    /// Uploads the artifact into its release directory, unless it is already there and verified.
    func upload(_ upload: PlannedUpload, shell: HostShell) async throws -> [String: JournalJSON] {
        let name = upload.source.split(separator: "/").last.map(String.init) ?? upload.source
        if context.reuseReleasesOnly {
            guard try await shell.probe("test -d \(ShellQuote.quote(upload.release))").succeeded else {
                throw DeployError(
                    .upload,
                    "\(upload.release) is not on \(plan.name): roll back only to a release the host still has, "
                        + "or deploy it with `rollout deploy --version`")
            }
            return ["skipped": .string("rollback: the release already on the host")]
        }
        let existing = try await shell.probe(
            upload.kind == .file
                ? "sha256sum -- \(ShellQuote.quote("\(upload.release)/\(name)")) 2>/dev/null"
                : "test -d \(ShellQuote.quote(upload.release))")
        if existing.succeeded,
            upload.kind != .file || existing.stdoutText.split(separator: " ").first.map(String.init) == upload.sha256
        {
            return ["skipped": .string("already present and verified"), "sha256": .string(upload.sha256)]
        }
        if existing.succeeded || upload.kind == .file {
            // A release directory that does not verify is replaced, never trusted.
            try await shell.run(PlannedCommand(on: plan.name, argv: ["rm", "-rf", "--", upload.release]))
        }
        for command in upload.begin { try await shell.run(command) }
        let source = upload.source.hasPrefix("/") ? upload.source : "\(context.baseDirectory)/\(upload.source)"
        var bytes: Int64 = 0
        if upload.kind == .file {
            let result = try await shell.connection.upload(
                from: source, to: upload.destination, mode: nil, expectedSHA256: upload.sha256, timeout: upload.timeout)
            bytes = result.bytes
            if let verify = upload.verify {
                let sum = try await shell.run(verify).stdoutText.split(separator: " ").first.map(String.init)
                guard sum == upload.sha256 else {
                    throw DeployError(.upload, "\(upload.destination) on \(plan.name) has SHA-256 \(sum ?? "?")")
                }
            }
        } else {
            bytes = try await uploadDirectory(source, to: upload.destination, shell: shell, timeout: upload.timeout)
        }
        try await shell.run(upload.finish)
        return ["bytes": .int(bytes), "sha256": .string(upload.sha256), "release": .string(upload.release)]
    }

    /// Every regular file of a local directory, each checked by SHA-256 on arrival; symlinks recreated.
    private func uploadDirectory(_ source: String, to destination: String, shell: HostShell, timeout: Duration)
        async throws -> Int64
    {
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: source) else {
            throw DeployError(.local, "cannot read the artifact directory \(source)")
        }
        var bytes: Int64 = 0
        let paths = (walker.allObjects as? [String] ?? []).sorted()
        for relative in paths {
            let local = "\(source)/\(relative)"
            let remote = "\(destination)/\(relative)"
            let attributes = try manager.attributesOfItem(atPath: local)
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?:
                try await shell.run(PlannedCommand(on: plan.name, argv: ["mkdir", "-p", remote]))
            case .typeSymbolicLink?:
                let target = try manager.destinationOfSymbolicLink(atPath: local)
                try await shell.run(PlannedCommand(on: plan.name, argv: ["ln", "-sfn", target, remote]))
            case .typeRegular?:
                bytes += try await shell.connection.upload(
                    from: local, to: remote, mode: nil, expectedSHA256: nil, timeout: timeout
                ).bytes
            default:
                continue
            }
        }
        return bytes
    }

    /// Polls the gateway's connection count for this host until it reaches 0 or the drain deadline passes
    /// (then the restart goes ahead: the deadline is the promise made to long connections).
    private func waitDrained(
        _ status: PlannedCommand?, count: ConnectionCount, deadline: Duration, interval: Duration, _ shell: HostShell
    ) async throws -> JournalJSON {
        guard let status else { return .string("no status command") }
        let end = ContinuousClock.now + deadline
        var last: Int?
        while true {
            let output = try await context.run(status, on: shell).stdout
            last = count.read(output)
            if last == 0 { return .int(0) }
            if ContinuousClock.now + interval > end || context.stop.current == .immediate {
                return .object(["deadline_reached": .bool(true), "connections": last.map { .int(Int64($0)) } ?? .null])
            }
            try await Task.sleep(for: interval)
        }
    }
}

extension HostDeployer {
    /// The drain step's deadline and poll interval, for a wait repeated after a re-drain.
    var drainWait: (deadline: Duration, interval: Duration)? {
        for step in plan.steps where step.phase == .drain {
            for case .waitDrained(_, _, let deadline, let interval) in step.actions { return (deadline, interval) }
        }
        return nil
    }
}

extension JournalJSON {
    var arrayValue: [JournalJSON]? { if case .array(let items) = self { items } else { nil } }
}
