import RolloutConfig

extension Plan {
    /// The plan in the `rollout.plan/1` JSON schema (documented in `docs/playbook.md`). Durations are seconds;
    /// keys are snake_case and sorted; absent optional values are left out.
    public var json: JSONValue {
        .object([
            ("schema", .string(Plan.schema)),
            ("inventory", .string(inventory)),
            ("playbook", .string(playbook)),
            ("service", .string(service)),
            ("version", .string(version.version)),
            ("version_source", .string(version.source.text)),
            (
                "artifact",
                .object([
                    ("path", .string(artifact.path)), ("kind", .string(artifact.kind.rawValue)),
                    ("size", .int(Int(artifact.size))), ("sha256", .string(artifact.sha256)),
                ])
            ),
            ("hosts_total", .int(hosts.count)),
            (
                "failure_budget",
                .object([
                    ("max_failures", .string(failureBudget.setting.text)),
                    ("absolute", .int(failureBudget.maxFailures)), ("rule", .string(failureBudget.rule)),
                ])
            ),
            ("rollback", .string(rollback.rawValue)),
            ("batching", batchingJSON),
            (
                "canary",
                canary.map {
                    .object([
                        ("hosts", .array($0.hosts.map(JSONValue.string))), ("bake_seconds", .seconds($0.bake)),
                        ("promote", .string($0.promote.rawValue)),
                    ])
                }
            ),
            (
                "timeouts",
                .object([
                    ("upload_seconds", .seconds(timeouts.upload)), ("restart_seconds", .seconds(timeouts.restart)),
                    ("rollout_seconds", .seconds(timeouts.rollout)),
                ])
            ),
            ("batches", .array(batches.map(\.json))),
            ("hosts", .array(hosts.map(\.json))),
            (
                "hooks",
                .object([
                    ("before_rollout", .array(beforeRollout.map(\.json))),
                    ("after_rollout", .array(afterRollout.map(\.json))),
                ])
            ),
        ])
    }

    private var batchingJSON: JSONValue {
        let mode: (String, JSONValue)
        switch batching.mode {
        case .serial(let items): mode = ("serial", .array(items.map { .string($0.text) }))
        case .window(let size): mode = ("window", .string(size.text))
        }
        return .object([
            ("mode", .string(mode.0)), (mode.0, mode.1),
            ("max_unavailable", batching.maxUnavailable.map { .string($0.text) }),
            ("max_unavailable_absolute", maxUnavailable.map(JSONValue.int)),
        ])
    }
}

extension PlanBatch {
    var json: JSONValue {
        .object([
            ("index", .int(index)), ("kind", .string(kind.rawValue)), ("hosts", .array(hosts.map(JSONValue.string))),
            ("concurrency", .int(concurrency)), ("bake_seconds", bake.map(JSONValue.seconds)),
            ("wait_for_promote", .bool(waitForPromote)),
        ])
    }
}

extension HostPlan {
    var json: JSONValue {
        .object([
            ("name", .string(name)), ("address", .string(address)), ("port", .int(port)),
            ("user", user.map(JSONValue.string)), ("strategy", .string(strategy.rawValue)), ("batch", .int(batch)),
            ("root", .string(root)),
            (
                "steps",
                .array(
                    steps.map { step in
                        .object([
                            ("phase", .string(step.phase.rawValue)), ("actions", .array(step.actions.map(\.json))),
                        ])
                    })
            ),
        ])
    }
}

extension PlanAction {
    var json: JSONValue {
        switch self {
        case .run(let command, let hook):
            return .object([
                ("type", .string("run")), ("hook", hook.map { .string($0.rawValue) }), ("command", command.json),
            ])
        case .upload(let upload):
            return .object([
                ("type", .string("upload")), ("source", .string(upload.source)),
                ("kind", .string(upload.kind.rawValue)),
                ("sha256", .string(upload.sha256)), ("begin", .array(upload.begin.map(\.json))),
                ("destination", .string(upload.destination)), ("verify", upload.verify.map(\.json)),
                ("finish", upload.finish.json), ("release", .string(upload.release)),
                ("timeout_seconds", .seconds(upload.timeout)),
            ])
        case .gateway(let step):
            return .object([
                ("type", .string("gateway")), ("operation", .string(step.operation.rawValue)),
                ("gateway", .string(step.kind)), ("on", .string(step.on)), ("calls", .array(step.calls.map(\.json))),
            ])
        case .waitDrained(let status, let count, let deadline, let poll, let onTimeout):
            return .object([
                ("type", .string("wait_drained")), ("status", .array(status.map(\.json))),
                ("count", count?.json),
                ("deadline_seconds", .seconds(deadline)), ("poll_interval_seconds", .seconds(poll)),
                ("on_timeout", .string(onTimeout.rawValue)),
            ])
        case .health(let check):
            return check.json
        case .pruneReleases(let list, let keep):
            return .object([("type", .string("prune_releases")), ("list", list.json), ("keep", .int(keep))])
        }
    }
}

extension GatewayCall {
    var json: JSONValue {
        switch self {
        case .run(let command, let purpose):
            return .object([("command", command.json), ("purpose", .string(purpose))])
        case .socket(let endpoint, let request, let purpose):
            return .object([
                ("socket", .object([("on", .string(PlannedCommand.controller)), ("endpoint", .string(endpoint))])),
                ("send", .string(request)), ("purpose", .string(purpose)),
            ])
        case .relay(_, let endpoint, let request, let purpose):
            return .object([
                ("command", command?.json), ("relay_to", .string(endpoint)), ("send", .string(request)),
                ("purpose", .string(purpose)),
            ])
        case .edit(let change):
            return .object([("edit", .string(change))])
        }
    }
}

extension PlannedHealthCheck {
    var json: JSONValue {
        var members: [(String, JSONValue?)] = [
            ("type", .string("health")), ("expect_version", expectVersion.map(JSONValue.string)),
            ("interval_seconds", .seconds(interval)), ("timeout_seconds", .seconds(timeout)),
            ("retries", .int(retries)),
            ("successes", .int(successes)), ("deadline_seconds", .seconds(deadline)),
        ]
        switch probe {
        case .http(let url, let status, let body, let header, let key):
            members += [
                ("check", .string("http")), ("url", .string(url)), ("status", .int(status)),
                ("body_contains", body.map(JSONValue.string)), ("version_header", header.map(JSONValue.string)),
                ("version_json", key.map(JSONValue.string)),
            ]
        case .tcp(let host, let port):
            members += [("check", .string("tcp")), ("host", .string(host)), ("port", .int(port))]
        case .command(let command):
            members += [("check", .string("command")), ("command", command.json)]
        }
        return .object(members)
    }
}

extension PlannedCommand {
    var json: JSONValue {
        .object([
            ("on", .string(on)), ("argv", .array(argv.map(JSONValue.string))), ("line", .string(line)),
            ("stdin", stdin.map(JSONValue.string)), ("timeout_seconds", timeout.map(JSONValue.seconds)),
            ("may_fail", mayFail ? .bool(true) : nil),
        ])
    }
}
