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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
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
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Persistence: the SQLite (default) and PostgreSQL implementations of SagaStore,
        // with versioned migrations.
        .target(
            name: "ArcadiaStorage",
            dependencies: [
                "SagaEngine",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Command-line interface (argument-parser commands); `@main` lives in `arcadia`.
        .target(
            name: "ArcadiaCLI",
            dependencies: [
                "SagaEngine",
                "ArcadiaStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
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
            dependencies: ["SagaEngine", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArcadiaTests",
            dependencies: [
                "SagaEngine", "ArcadiaStorage", "ArcadiaCLI", "arcadia",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
