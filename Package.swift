// swift-tools-version: 6.1
import PackageDescription

// Module layout and dependency direction: see shared/DESIGN.md ("Modules").
let package = Package(
    name: "rollout",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rollout", targets: ["rollout"]),
        .executable(name: "rollout-agent", targets: ["rollout-agent"]),
        .executable(name: "rollout-demo-service", targets: ["rollout-demo-service"]),
        .executable(name: "rollout-lab", targets: ["rollout-lab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries
        .systemLibrary(
            name: "CLibSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"])]
        ),
        .target(name: "CAgentSupport"),

        // Libraries
        .target(
            name: "SSHClient",
            dependencies: ["CLibSSH2", "RolloutText", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "RolloutText"),
        .target(name: "RolloutJSON", dependencies: ["RolloutText"]),
        .target(name: "RolloutModel"),
        .target(name: "RolloutConfig", dependencies: ["Yams"]),
        .target(
            name: "RolloutCore",
            dependencies: [
                "RolloutConfig", "RolloutJSON", "RolloutModel", "RolloutText",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "RolloutStore",
            dependencies: [
                "RolloutJSON", "RolloutModel", "RolloutText", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "RolloutGateway", dependencies: ["RolloutConfig", "RolloutCore", "RolloutText"]),
        .target(
            name: "RolloutEngine",
            dependencies: [
                "AgentProtocol", "RolloutConfig", "RolloutCore", "RolloutGateway", "RolloutJSON", "RolloutModel",
                "RolloutStore", "RolloutText", "SSHClient",
            ]
        ),
        .target(name: "AgentProtocol", dependencies: ["RolloutJSON"]),
        .target(name: "AgentKit", dependencies: ["AgentProtocol", "CAgentSupport", "RolloutJSON", "Yams"]),
        .target(name: "RolloutDev", dependencies: ["AgentKit", "RolloutGateway", "RolloutJSON"]),
        .target(name: "RolloutReport", dependencies: ["RolloutJSON", "RolloutModel", "RolloutStore"]),
        .target(
            name: "RolloutServe",
            dependencies: [
                "RolloutJSON", "RolloutReport", "RolloutStore", .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .target(name: "RolloutTestSupport", dependencies: ["CAgentSupport"]),

        // Executables: argument parsing and wiring only
        .executableTarget(
            name: "rollout",
            dependencies: [
                "RolloutConfig", "RolloutCore", "RolloutEngine", "RolloutJSON", "RolloutModel", "RolloutStore",
                "RolloutText",
                "SSHClient",
                "RolloutDev", "RolloutReport", "RolloutServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "rollout-agent",
            dependencies: ["AgentKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "rollout-demo-service", dependencies: ["CAgentSupport"]),
        // A test build of the agent with the next upgrade-state schema (AgentKitTests' upgrade tests).
        .executableTarget(name: "rollout-agent-next-schema", dependencies: ["AgentKit"]),
        .executableTarget(
            name: "rollout-lab",
            dependencies: ["RolloutTestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // Tests
        .testTarget(name: "RolloutConfigTests", dependencies: ["RolloutConfig"]),
        .testTarget(name: "RolloutJSONTests", dependencies: ["RolloutJSON", "RolloutText"]),
        .testTarget(
            name: "RolloutCoreTests",
            dependencies: ["RolloutCore", "RolloutConfig", "RolloutJSON", "RolloutModel", "RolloutText"]),
        .testTarget(
            name: "RolloutStoreTests",
            dependencies: [
                "RolloutJSON", "RolloutModel", "RolloutStore", "RolloutTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "RolloutGatewayTests", dependencies: ["RolloutGateway", "RolloutTestSupport"]),
        .testTarget(
            name: "RolloutEngineTests",
            dependencies: ["RolloutEngine", "RolloutJSON", "RolloutTestSupport", "RolloutText"]),
        .testTarget(name: "SSHClientTests", dependencies: ["SSHClient", "RolloutTestSupport", "rollout-lab"]),
        .testTarget(
            name: "AgentKitTests",
            dependencies: [
                "AgentKit", "RolloutTestSupport", "rollout-agent", "rollout-agent-next-schema", "rollout-demo-service",
            ]),
        .testTarget(name: "AgentProtocolTests", dependencies: ["AgentProtocol"]),
        .testTarget(name: "RolloutReportTests", dependencies: ["RolloutModel", "RolloutReport", "RolloutStore"]),
        .testTarget(
            name: "RolloutDevTests",
            dependencies: ["RolloutDev", "RolloutTestSupport", "rollout", "rollout-agent", "rollout-demo-service"]),
        .testTarget(
            name: "RolloutCLITests",
            dependencies: ["RolloutModel", "RolloutTestSupport", "RolloutStore", "rollout", "rollout-lab"]),
    ],
    swiftLanguageModes: [.v6]
)
