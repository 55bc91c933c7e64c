import Foundation
import RolloutCore
import RolloutJSON
import RolloutModel
import RolloutStore

extension HostDeployer {
    /// A `reload` host: upload the rendered files to temporary names, validate them, switch them by rename,
    /// have the agent deliver the reload signal, verify. Before the switch a failure changes nothing live (the
    /// uploads are deleted); after it, the previous files are put back and the service is signalled again.
    func deployConfig(shell: HostShell, agent: AgentControl) async -> HostRunResult {
        var switched = false
        do {
            for step in plan.steps {
                if context.stop.current == .immediate {
                    throw DeployError(.interrupted, "stopped by a second interrupt before \(step.phase.rawValue)")
                }
                try await context.phase(step.phase, host: plan.name) {
                    try await perform(step, shell: shell, agent: agent)
                }
                // A switch that failed part-way put its files back itself (`switchConfig`).
                if step.phase == .switch { switched = true }
            }
            return HostRunResult(host: plan.name, status: .succeeded, error: nil, onNewVersion: true)
        } catch {
            var failure = DeployError(error)
            guard switched else {
                // Nothing live changed: leave nothing behind either.
                _ = try? await shell.run(ConfigCommands.discard(host: plan.name, configFiles))
                let status: HostStatus = failure.code == .interrupted ? .skipped : .failed
                return HostRunResult(host: plan.name, status: status, error: failure, onNewVersion: false)
            }
            guard context.plan.rollback != .none else {
                return HostRunResult(host: plan.name, status: .failed, error: failure, onNewVersion: true)
            }
            do {
                try await revertConfig(shell: shell, agent: agent)
                return HostRunResult(host: plan.name, status: .rolledBack, error: failure, onNewVersion: false)
            } catch {
                failure.message += "; restoring the previous configuration failed: \(DeployError(error).message)"
                return HostRunResult(host: plan.name, status: .failed, error: failure, onNewVersion: true)
            }
        }
    }

    /// Puts every file's previous version back (or removes a file that did not exist before), signals the
    /// service again and verifies it with the health checks (HTTP ones without `body_contains`, which
    /// describes the configuration just taken back); journaled as the `rollback` phase.
    func revertConfig(shell: HostShell, agent: AgentControl) async throws {
        let detail: JSONValue = .object(["to": .string("previous configuration")])
        try await context.phase(.rollback, host: plan.name, detail: detail) {
            for file in configFiles { try await shell.run(ConfigCommands.restoreFile(file)) }
            try await context.journal.markConfigFilesRestored(host: plan.name, in: context.rolloutID)
            var result: [String: JSONValue] = ["restored": .array(configFiles.map { .string($0.destination) })]
            result["agent"] = try await reloadService(agent)
            // `body_contains` describes the new configuration, which is exactly what was taken back.
            let checks = healthChecks.map { check -> PlannedHealthCheck in
                guard case .http(let url, let status, _, let header, let key) = check.probe else { return check }
                var check = check
                check.probe = .http(
                    url: url, status: status, bodyContains: nil, versionHeader: header, versionJSONKey: key)
                return check
            }
            result["health"] = try await HealthVerifier(shell: shell).verify(checks)
            return .object(result)
        }
    }

    /// Every configuration file of this host's plan.
    var configFiles: [PlannedConfigFile] {
        plan.steps.flatMap(\.actions).compactMap { if case .uploadConfig(let files) = $0 { files } else { nil } }
            .flatMap { $0 }
    }

    /// Asks the agent to deliver the reload signal; throws unless the service confirmed it.
    func reloadService(_ agent: AgentControl) async throws -> JSONValue {
        let answer = try await agent.reloadService(timeout: reloadCommand?.timeout ?? .seconds(60))
        if answer.unfenced { context.observer.event(.note(answer.unfencedNote(plan.name))) }
        guard answer.outcome == "ok" else {
            throw DeployError(.reload, answer.failure("the service on \(plan.name) did not reload: "))
        }
        return answer.json
    }

    private var reloadCommand: PlannedCommand? {
        plan.steps.first { $0.phase == .reload }?.actions.compactMap { action -> PlannedCommand? in
            if case .run(let command, nil) = action { command } else { nil }
        }.first
    }

    /// Runs a file's validation command against its uploaded temporary file; a failure refuses the configuration.
    func validateConfig(_ command: PlannedCommand, shell: HostShell) async throws -> JSONValue {
        let result = try await shell.run(
            PlannedCommand(
                on: command.on, argv: command.argv, stdin: command.stdin, timeout: command.timeout, mayFail: true))
        let output = (result.stdoutText + result.stderrText).trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.succeeded else {
            throw DeployError(
                .validation,
                "the new configuration was refused on \(plan.name) (nothing was switched): `\(command.argv.last ?? "")` "
                    + "\(result.statusDescription)" + (output.isEmpty ? "" : ": \(output.suffix(400))"))
        }
        return .object(["command": .string(command.line), "output": .string(String(output.suffix(2000)))])
    }

    /// Uploads each file to its temporary name (SFTP, checked by SHA-256 on the host); nothing live changes.
    func uploadConfig(_ files: [PlannedConfigFile], shell: HostShell) async throws -> [String: JSONValue] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rollout-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var uploaded: [JSONValue] = []
        for (index, file) in files.enumerated() {
            let local = directory.appendingPathComponent("\(index)")
            try Data(file.content).write(to: local)
            _ = try await shell.connection.upload(
                from: local.path, to: file.temporary, mode: file.mode, expectedSHA256: file.sha256,
                timeout: context.plan.timeouts.upload)
            let sum = try await shell.run(ReleaseCommands(host: plan.name, root: plan.root).checksum(file.temporary))
                .stdoutText.split(separator: " ").first.map(String.init)
            guard sum == file.sha256 else {
                throw DeployError(.upload, "\(file.temporary) on \(plan.name) has SHA-256 \(sum ?? "?")")
            }
            uploaded.append(
                .object([
                    "destination": .string(file.destination), "temporary": .string(file.temporary),
                    "sha256": .string(file.sha256), "bytes": .int(Int64(file.content.count)),
                ]))
        }
        return ["files": .array(uploaded)]
    }

    /// Keeps one live file as its backup and renames the new one over it; what the journal records about it.
    private func switchFile(_ file: PlannedConfigFile, shell: HostShell) async throws -> ConfigFileEntry {
        var previous = try await sha256(of: file.destination, shell: shell)
        var commands = ConfigCommands.switchFile(file)
        if previous == file.sha256 {
            // Already live (a resumed rollout that switched before its controller died): keeping it as the
            // backup would lose the real previous version, so only the rename runs and the backup stays.
            commands.removeFirst()
            previous = try await sha256(of: file.backup, shell: shell)
        }
        for command in commands { try await shell.run(command) }
        return ConfigFileEntry(
            path: file.destination, source: file.source, sha256: file.sha256, size: file.content.count,
            mode: file.modeText, previousSHA256: previous)
    }

    /// The SHA-256 of a file on the host, nil when it does not exist.
    private func sha256(of path: String, shell: HostShell) async throws -> String? {
        let result = try await shell.probe(HostProbes.sha256(of: path, on: plan.name))
        return result.succeeded ? result.stdoutText.split(separator: " ").first.map(String.init) : nil
    }

    /// Keeps each live file as its backup and renames the new one over it, then journals the files (with the
    /// checksums of the ones they replaced) as live on this host. All or nothing: when one file (or the journal)
    /// fails, the files already switched are put back before the error is thrown.
    func switchConfig(_ files: [PlannedConfigFile], shell: HostShell) async throws -> [String: JSONValue] {
        var entries: [ConfigFileEntry] = []
        var switched: [PlannedConfigFile] = []
        do {
            for file in files {
                entries.append(try await switchFile(file, shell: shell))
                switched.append(file)
            }
            try await context.journal.recordConfigFiles(entries, host: plan.name, in: context.rolloutID)
        } catch {
            // All or nothing, journal included: the files already switched go back before the error is reported.
            var failure = DeployError(error)
            for file in switched.reversed() {
                do {
                    try await shell.run(ConfigCommands.restoreFile(file))
                } catch {
                    failure.message += "; LEFT SWITCHED: \(file.destination) could not be put back: \(error)"
                }
            }
            if !switched.isEmpty { failure.message += "; the files switched before it were put back" }
            throw failure
        }
        return [
            "files": .array(
                entries.map {
                    .object([
                        "path": .string($0.path), "sha256": .string($0.sha256),
                        "previous_sha256": $0.previousSHA256.map(JSONValue.string) ?? .null,
                    ])
                })
        ]
    }
}
