import Foundation
import RolloutConfig
import RolloutCore
import RolloutGateway
import RolloutJSON
import RolloutStore

extension HostDeployer {
    /// Carries out one step's actions in order; returns what the journal keeps about it.
    func perform(_ step: PlanStep, shell: HostShell, agent: AgentControl) async throws -> JSONValue? {
        var details: [String: JSONValue] = [:]
        for action in step.actions {
            switch action {
            case .run(let command, let hook):
                if step.phase == .restart && hook == nil {
                    let answer = try await agent.restart(timeout: context.plan.timeouts.restart)
                    details["agent"] = answer.json
                    if answer.unfenced {
                        details["unfenced"] = .bool(true)
                        context.observer.event(.note(answer.unfencedNote(plan.name)))
                    }
                    guard answer.outcome == "ok" else {
                        throw DeployError(
                            .restart, answer.failure("the agent on \(plan.name) did not switch to \(version): "))
                    }
                } else if step.phase == .validate && hook == nil {
                    details["validate"] = .array(
                        (details["validate"]?.arrayValue ?? []) + [try await validateConfig(command, shell: shell)])
                } else if step.phase == .reload && hook == nil {
                    details["agent"] = try await reloadService(agent)
                } else if step.phase == .prepare && command.argv.first == "readlink" {
                    continue  // The controller read `current` before the rollout (fromVersion).
                } else {
                    try await context.run(command, on: shell)
                }
            case .upload(let upload):
                details = try await self.upload(upload, shell: shell)
            case .gateway(let gatewayStep):
                details.merge(try await perform(gatewayStep)) { _, new in new }
            case .waitDrained(_, _, let deadline, let interval, let onTimeout):
                details["wait"] = try await waitForDrain(
                    try boundGateway().gateway, try boundGateway().target(plan.name), deadline: deadline,
                    interval: interval, onTimeout: onTimeout)
            case .health(let check):
                let seen = try await HealthVerifier(shell: shell).verify([check]) { context.stop.current == .immediate }
                details["health"] = .array((details["health"]?.arrayValue ?? []) + (seen.arrayValue ?? []))
            case .pruneReleases(let list, let keep):
                details.merge(await pruneReleases(list: list, keep: keep, shell: shell)) { _, new in new }
            case .uploadConfig(let files):
                details.merge(try await uploadConfig(files, shell: shell)) { _, new in new }
            case .switchConfig(let files):
                details.merge(try await switchConfig(files, shell: shell)) { _, new in new }
            }
        }
        return details.isEmpty ? nil : .object(details)
    }

    /// Deletes the releases `ReleasePruning` selects. A failure here is a warning, never the host's failure: the
    /// host already serves the new release and is back in rotation, and what is left is only disk space. The
    /// warning is journaled in the cleanup phase's detail and shown as a note.
    func pruneReleases(list: PlannedCommand, keep: Int, shell: HostShell) async -> [String: JSONValue] {
        var delete: [String] = []
        do {
            let listing = try await shell.run(list).stdoutText.split(separator: "\n").map(String.init)
            delete = ReleasePruning.releasesToDelete(
                newestFirst: listing, keep: keep, current: version, previous: fromVersion)
            if let command = ReleaseCommands(host: plan.name, root: plan.root).delete(delete) {
                try await shell.run(command)
            }
            return ["deleted": .array(delete.map(JSONValue.string))]
        } catch {
            let failure = DeployError(error)
            let warning =
                "pruning old releases on \(plan.name) failed (the host is deployed and stays so; free the space "
                + "by hand): \(failure.message)"
            context.observer.event(.note("warning: \(warning)"))
            return ["warning": .string(warning), "not_deleted": .array(delete.map(JSONValue.string))]
        }
    }

    /// Uploads the artifact into its release directory, unless it is already there and verified.
    func upload(_ upload: PlannedUpload, shell: HostShell) async throws -> [String: JSONValue] {
        let name = upload.source.split(separator: "/").last.map(String.init) ?? upload.source
        if context.reuseReleasesOnly {
            guard try await shell.probe(HostProbes.isDirectory(upload.release, on: plan.name)).succeeded else {
                throw DeployError(
                    .upload,
                    "\(upload.release) is not on \(plan.name): roll back only to a release the host still has, "
                        + "or deploy it with `rollout deploy --version`")
            }
            return ["skipped": .string("rollback: the release already on the host")]
        }
        // A release already there is trusted only when its digest is the artifact's: a file by its SHA-256, a
        // directory by its manifest's (every file's SHA-256, name and link target).
        // The manifest's digest fails by itself when the release directory is not there.
        let existing = try await shell.probe(
            upload.kind == .file
                ? HostProbes.sha256(of: "\(upload.release)/\(name)", on: plan.name)
                : ReleaseManifest.digest(of: upload.release, on: plan.name),
            timeout: upload.timeout)
        if existing.succeeded, existing.stdoutText.split(separator: " ").first.map(String.init) == upload.sha256 {
            return ["skipped": .string("already present and verified"), "sha256": .string(upload.sha256)]
        }
        if existing.succeeded || upload.kind == .file {
            // A release directory that does not verify is replaced, never trusted.
            try await shell.run(ReleaseCommands(host: plan.name, root: plan.root).remove(upload.release))
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
            // Each file arrived intact; the whole must also be the artifact that was planned and journaled (a file
            // changed, added or removed locally since, a stale file in the upload directory).
            let manifest = ReleaseManifest.digest(of: upload.destination, on: plan.name, timeout: upload.timeout)
            let digest = try await shell.run(manifest).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            guard digest == upload.sha256 else {
                throw DeployError(
                    .upload,
                    "\(upload.destination) on \(plan.name) has manifest SHA-256 \(digest), not the artifact's "
                        + "\(upload.sha256): the directory \(upload.source) changed during the rollout; nothing was "
                        + "switched to it")
            }
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
                try await shell.run(ReleaseCommands(host: plan.name, root: plan.root).makeDirectory(remote))
            case .typeSymbolicLink?:
                let target = try manager.destinationOfSymbolicLink(atPath: local)
                try await shell.run(ReleaseCommands(host: plan.name, root: plan.root).symlink(remote, to: target))
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
}
