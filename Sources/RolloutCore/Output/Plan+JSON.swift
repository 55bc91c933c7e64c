import RolloutConfig
import RolloutJSON
import RolloutText

extension Plan {
    /// The plan in the `rollout.plan/1` JSON schema (documented in `docs/playbook.md`), with a trailing newline.
    /// Durations are seconds; keys are snake_case and sorted; absent optional values are left out.
    public var jsonText: String {
        let out = OutputBuffer()
        writeJSON(to: out)
        return out.text
    }

    /// Writes `jsonText` into `out` host by host, never holding the whole document (the caller calls
    /// `out.finish()`).
    public func writeJSON(to out: OutputBuffer) {
        writeJSON(to: out, hostsPerChunk: 32)
    }

    /// `writeJSON(to:)`, the hosts' objects formatted concurrently in chunks of `hostsPerChunk`; the bytes do
    /// not depend on the chunk size.
    func writeJSON(to out: OutputBuffer, hostsPerChunk: Int) {
        let json = JSONWriter(out)
        // Members in sorted key order, as every rollout.plan/1 object.
        json.object {
            if let artifact {
                json.object("artifact") {
                    json.member("kind", artifact.kind.rawValue)
                    json.member("path", artifact.path)
                    json.member("sha256", artifact.sha256)
                    json.member("size", int: Int(artifact.size))
                }
            }
            json.array("batches") { for batch in batches { batch.write(to: json) } }
            writeBatching(to: json)
            if let canary {
                json.object("canary") {
                    json.member("bake_seconds", seconds: canary.bake)
                    json.array("hosts", strings: canary.hosts)
                    json.member("promote", canary.promote.rawValue)
                }
            }
            json.object("failure_budget") {
                json.member("absolute", int: failureBudget.maxFailures)
                json.member("max_failures", failureBudget.setting.text)
                json.member("rule", failureBudget.rule)
            }
            json.object("hooks") {
                json.array("after_rollout") { for hook in afterRollout { hook.write(to: json) } }
                json.array("before_rollout") { for hook in beforeRollout { hook.write(to: json) } }
            }
            json.array("hosts") {
                let hosts = hosts
                json.items(count: hosts.count, chunkSize: hostsPerChunk) { i, json in hosts[i].write(to: json) }
            }
            json.member("hosts_total", int: hosts.count)
            json.member("inventory", inventory)
            json.member("playbook", playbook)
            json.member("rollback", rollback.rawValue)
            json.member("schema", Plan.schema)
            json.member("service", service)
            json.object("timeouts") {
                json.member("restart_seconds", seconds: timeouts.restart)
                json.member("rollout_seconds", seconds: timeouts.rollout)
                json.member("upload_seconds", seconds: timeouts.upload)
            }
            json.member("version", version.version)
            json.member("version_source", version.source.text)
        }
        out.write(byte: UInt8(ascii: "\n"))
    }

    private func writeBatching(to json: JSONWriter) {
        json.object("batching") {
            json.member("max_unavailable", batching.maxUnavailable?.text)
            json.member("max_unavailable_absolute", int: maxUnavailable)
            switch batching.mode {
            case .serial(let items):
                json.member("mode", "serial")
                json.array("serial", strings: items.map(\.text))
            case .window(let size):
                json.member("mode", "window")
                json.member("window", size.text)
            }
        }
    }
}

extension PlanBatch {
    func write(to json: JSONWriter) {
        json.object {
            json.member("bake_seconds", seconds: bake)
            json.member("concurrency", int: concurrency)
            json.array("hosts", strings: hosts)
            json.member("index", int: index)
            json.member("kind", kind.rawValue)
            json.member("wait_for_promote", bool: waitForPromote)
        }
    }
}

extension HostPlan {
    func write(to json: JSONWriter) {
        json.object {
            json.member("address", address)
            json.member("batch", int: batch)
            json.member("name", name)
            json.member("port", int: port)
            json.member("root", root)
            json.array("steps") {
                for step in steps {
                    json.object {
                        json.array("actions") { for action in step.actions { action.write(to: json) } }
                        json.member("phase", step.phase.rawValue)
                    }
                }
            }
            json.member("strategy", strategy.rawValue)
            json.member("user", user)
        }
    }
}

extension PlanAction {
    func write(to json: JSONWriter) {
        switch self {
        case .run(let command, let hook):
            json.object {
                json.key("command")
                command.write(to: json)
                json.member("hook", hook?.rawValue)
                json.member("type", "run")
            }
        case .upload(let upload):
            json.object {
                json.array("begin") { for command in upload.begin { command.write(to: json) } }
                json.member("destination", upload.destination)
                json.key("finish")
                upload.finish.write(to: json)
                json.member("kind", upload.kind.rawValue)
                json.member("release", upload.release)
                json.member("sha256", upload.sha256)
                json.member("source", upload.source)
                json.member("timeout_seconds", seconds: upload.timeout)
                json.member("type", "upload")
                if let verify = upload.verify {
                    json.key("verify")
                    verify.write(to: json)
                }
            }
        case .gateway(let step):
            json.object {
                json.array("calls") { for call in step.calls { call.write(to: json) } }
                json.member("gateway", step.kind)
                json.member("on", step.on)
                json.member("operation", step.operation.rawValue)
                json.member("type", "gateway")
            }
        case .waitDrained(let status, let count, let deadline, let poll, let onTimeout):
            json.object {
                if let count {
                    json.key("count")
                    json.value(count.json)
                }
                json.member("deadline_seconds", seconds: deadline)
                json.member("on_timeout", onTimeout.rawValue)
                json.member("poll_interval_seconds", seconds: poll)
                json.array("status") { for call in status { call.write(to: json) } }
                json.member("type", "wait_drained")
            }
        case .health(let check):
            check.write(to: json)
        case .pruneReleases(let list, let keep):
            json.object {
                json.member("keep", int: keep)
                json.key("list")
                list.write(to: json)
                json.member("type", "prune_releases")
            }
        case .uploadConfig(let files):
            json.object {
                json.array("files") { for file in files { file.write(to: json) } }
                json.member("type", "upload_config")
            }
        case .switchConfig(let files):
            json.object {
                json.array("commands") {
                    for file in files { for command in ConfigCommands.switchFile(file) { command.write(to: json) } }
                }
                json.array("files") { for file in files { file.write(to: json) } }
                json.member("type", "switch_config")
            }
        }
    }
}

extension GatewayCall {
    func write(to json: JSONWriter) {
        json.object {
            switch self {
            case .run(let command, let purpose):
                json.key("command")
                command.write(to: json)
                json.member("purpose", purpose)
            case .socket(let endpoint, let request, let purpose):
                json.member("purpose", purpose)
                json.member("send", request)
                json.object("socket") {
                    json.member("endpoint", endpoint)
                    json.member("on", PlannedCommand.controller)
                }
            case .relay(_, let endpoint, let request, let purpose):
                if let command {
                    json.key("command")
                    command.write(to: json)
                }
                json.member("purpose", purpose)
                json.member("relay_to", endpoint)
                json.member("send", request)
            case .edit(let change):
                json.member("edit", change)
            }
        }
    }
}

extension PlannedHealthCheck {
    /// Members of every probe and of one probe interleave in key order.
    func write(to json: JSONWriter) {
        json.object {
            switch probe {
            case .http(let url, let status, let body, let header, let key):
                json.member("body_contains", body)
                json.member("check", "http")
                writeCommon(to: json, between: nil)
                json.member("status", int: status)
                json.member("successes", int: successes)
                json.member("timeout_seconds", seconds: timeout)
                json.member("type", "health")
                json.member("url", url)
                json.member("version_header", header)
                json.member("version_json", key)
            case .tcp(let host, let port):
                json.member("check", "tcp")
                writeCommon(to: json, between: (host, port))
                json.member("successes", int: successes)
                json.member("timeout_seconds", seconds: timeout)
                json.member("type", "health")
            case .command(let command):
                json.member("check", "command")
                json.key("command")
                command.write(to: json)
                writeCommon(to: json, between: nil)
                json.member("successes", int: successes)
                json.member("timeout_seconds", seconds: timeout)
                json.member("type", "health")
            }
        }
    }

    /// `deadline_seconds` to `retries`, with a TCP probe's `host` and `port` in their places.
    private func writeCommon(to json: JSONWriter, between tcp: (host: String, port: Int)?) {
        json.member("deadline_seconds", seconds: deadline)
        json.member("expect_version", expectVersion)
        json.member("host", tcp?.host)
        json.member("interval_seconds", seconds: interval)
        json.member("port", int: tcp?.port)
        json.member("retries", int: retries)
    }
}

extension PlannedConfigFile {
    func write(to json: JSONWriter) {
        json.object {
            json.member("backup", backup)
            json.member("destination", destination)
            json.member("kind", kind)
            json.member("mode", modeText)
            json.member("sha256", sha256)
            json.member("size", int: content.count)
            json.member("source", source)
            json.member("temporary", temporary)
            if let validate {
                json.key("validate")
                validate.write(to: json)
            }
        }
    }
}

extension PlannedCommand {
    func write(to json: JSONWriter) {
        json.object {
            json.array("argv", strings: argv)
            json.key(literal: "line")
            json.string { ShellQuote.write(line: argv, to: $0) }
            json.member("may_fail", bool: mayFail ? true : nil)
            json.member("on", on)
            json.member("stdin", stdin)
            json.member("timeout_seconds", seconds: timeout)
        }
    }
}
