// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "arcadia",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "arcadia", targets: ["arcadia"]),
        .library(name: "SagaEngine", targets: ["SagaEngine"]),
        .library(name: "ArcadiaStorage", targets: ["ArcadiaStorage"]),
        .library(name: "DigitalOcean", targets: ["DigitalOcean"]),
        .library(name: "FakeDigitalOcean", targets: ["FakeDigitalOcean"]),
        .library(name: "CloudOps", targets: ["CloudOps"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
    ],
    targets: [
        // Pure saga model, step protocol, registry, templates, retry policy, the SagaStore
        // protocol and the worker runtime. No SQL here.
        .target(
            name: "SagaEngine",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Who may do what: API tokens (stored hashed), roles and tenant scopes, and the
        // AccessTokenStore protocol (its tables live in ArcadiaStorage).
        .target(
            name: "AccessControl",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // DigitalOcean saga steps and templates, inventory and desired state (the CloudStore
        // protocol; its tables live in ArcadiaStorage).
        .target(
            name: "CloudOps",
            dependencies: [
                "SagaEngine", "DigitalOcean",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Tenant billing: tenants, deployments, versioned rate cards, metering from inventory
        // presence, invoice lines with exact money, DigitalOcean's own charges for the margin.
        .target(
            name: "Billing",
            dependencies: ["CloudOps", "SagaEngine"],
            swiftSettings: swiftSettings
        ),
        // Persistence: the SQLite (default) and PostgreSQL implementations of SagaStore and
        // CloudStore, with versioned migrations.
        .target(
            name: "ArcadiaStorage",
            dependencies: [
                "SagaEngine", "CloudOps", "AccessControl", "Billing",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Hand-written typed async client for the DigitalOcean API v2: token purposes, pagination,
        // rate-limit pacing, retries, typed errors.
        .target(
            name: "DigitalOcean",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // A faithful DigitalOcean API simulator (Hummingbird): envelopes, scopes, rate limits,
        // asynchronous actions on a controllable clock, eventual consistency and fault injection.
        .target(
            name: "FakeDigitalOcean",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The control-plane server: the JSON API generated from openapi.yaml (spec first), auth,
        // and `buildApplication`, the composition root `arcadia serve` and the tests share; the
        // operations facade (on the engine, or through the generated client for the remote CLI).
        .target(
            name: "ArcadiaServer",
            dependencies: [
                "SagaEngine", "CloudOps", "AccessControl", "ArcadiaStorage", "Billing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // Command-line interface (argument-parser commands); `@main` lives in `arcadia`.
        .target(
            name: "ArcadiaCLI",
            dependencies: [
                "SagaEngine",
                "AccessControl",
                "Billing",
                "ArcadiaServer",
                "ArcadiaStorage",
                "CloudOps",
                "DigitalOcean",
                "FakeDigitalOcean",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "arcadia",
            dependencies: ["ArcadiaCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SagaEngineTests",
            dependencies: [
                "SagaEngine", .product(name: "Logging", package: "swift-log"), .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BillingTests",
            dependencies: ["Billing", "CloudOps"],
            swiftSettings: swiftSettings
        ),
        // Helpers both test targets use (not a product).
        .target(
            name: "TestSupport",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DigitalOceanTests",
            dependencies: [
                "DigitalOcean", "FakeDigitalOcean", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArcadiaTests",
            dependencies: [
                "SagaEngine", "AccessControl", "ArcadiaStorage", "ArcadiaServer", "ArcadiaCLI", "arcadia", "DigitalOcean", "CloudOps",
                "FakeDigitalOcean", "Billing", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
