import Foundation
import RolloutTestSupport
import SSHClient
import Testing

/// One sshd cluster (10 hosts and a bastion) shared by every test of ``SSHClientTests``; started before the first
/// test and stopped (processes killed, directory removed) after the last one, also when tests fail.
struct SharedSSHCluster: SuiteTrait, TestScoping {
    @TaskLocal static var current: SSHCluster?

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void)
        async throws
    {
        let cluster = try SSHCluster.start(hosts: 10, bastion: true)
        defer { cluster.stopAll() }
        try await SharedSSHCluster.$current.withValue(cluster) { try await function() }
    }
}

extension Trait where Self == SharedSSHCluster {
    static var sharedSSHCluster: SharedSSHCluster { SharedSSHCluster() }
}

/// Helpers the tests share.
enum Fixture {
    static func cluster() throws -> SSHCluster {
        try #require(SharedSSHCluster.current, "tests must run inside the SSHClientTests suite")
    }

    static func endpoint(
        _ host: SSHClusterHost, in cluster: SSHCluster, user: String? = nil, key: String? = nil,
        knownHosts: String? = nil
    ) -> SSHEndpoint {
        SSHEndpoint(
            address: host.address, port: host.port, user: user ?? cluster.user,
            identityFiles: [key ?? cluster.userKeyPath], knownHostsFile: knownHosts ?? cluster.knownHostsPath)
    }

    /// No agent: tests must prove that the given key files work (a developer's agent would mask failures).
    static let options = SSHOptions(connectTimeout: .seconds(10), useAgent: false)

    static func connect(_ name: String, options: SSHOptions = options) async throws -> SSHConnection {
        let cluster = try cluster()
        return try await SSHConnection.connect(endpoint(try cluster.host(name), in: cluster), options: options)
    }

    /// A fresh directory under the test's temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rollout-ssh-test-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Expects `body` to throw an ``SSHError`` and returns it.
    static func expectSSHError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> SSHError
    {
        do {
            try await body()
        } catch let error as SSHError {
            return error
        }
        Issue.record("expected an SSHError, but the operation succeeded", sourceLocation: sourceLocation)
        throw CancellationError()
    }
}

/// The root suite: every SSHClient test runs against one shared cluster, one test at a time (some tests pause
/// hosts or rewrite files the others use).
@Suite(.serialized, .sharedSSHCluster)
struct SSHClientTests {}
