import Foundation
import RolloutConfig
import RolloutGateway
import Testing

/// A playbook's `gateway:` parsed by the real reader, with the rest of the playbook kept minimal.
func gatewaySpec(_ gatewayYAML: String) throws -> GatewaySpec {
    let text = """
        service:
          name: web
          root: /srv/web
        artifact:
          path: build/web
        strategy: drain
        gateway:
        \(gatewayYAML.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        """
    let playbook = try Playbook.parse(text, file: "test.yml")
    return try #require(playbook.gateway)
}

/// A renderer over per-host scopes holding `host.name`, `host.address` and `extra`.
func renderer(hosts: [String], extra: [String: String] = [:]) -> GatewayTemplateRenderer {
    var scopes: [String: VariableScope] = [:]
    for (index, host) in hosts.enumerated() {
        var values: [String: ConfigValue] = extra.mapValues { .string($0) }
        values["host"] = .map(["name": .string(host), "address": .string("10.0.0.\(11 + index)")])
        scopes[host] = VariableScope(values)
    }
    return GatewayFactory.renderer(scopes: scopes)
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory(_ prefix: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func write(_ text: String, _ path: String) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

func read(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}
