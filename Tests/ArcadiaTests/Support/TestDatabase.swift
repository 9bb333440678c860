import ArcadiaStorage
import CloudOps
import Foundation
import Logging
import Metrics
import SagaEngine
import Testing

/// The storage backends every conformance test runs against.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// SQLite always; PostgreSQL when configured, and always under `CI=true` (where a missing
    /// configuration then fails the PostgreSQL tests instead of skipping them).
    static var enabled: [Backend] {
        TestDatabase.postgresURL != nil || TestDatabase.isCI ? [.sqlite, .postgres] : [.sqlite]
    }
}

/// Database set-up for tests: a fresh SQLite file or a fresh PostgreSQL schema per test.
enum TestDatabase {
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    static var logger: Logger {
        var logger = Logger(label: "arcadia.test")
        logger.logLevel = ProcessInfo.processInfo.environment["ARCADIA_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }

    /// `ARCADIA_TEST_DATABASE_URL`, or one built from `POSTGRES_HOSTNAME/PORT/USER/PASSWORD/DB`.
    static var postgresURL: String? {
        let env = ProcessInfo.processInfo.environment
        if let url = env["ARCADIA_TEST_DATABASE_URL"], !url.isEmpty { return url }
        guard let host = env["POSTGRES_HOSTNAME"], let user = env["POSTGRES_USER"] else { return nil }
        let password = env["POSTGRES_PASSWORD"].map { ":\($0)" } ?? ""
        let port = env["POSTGRES_PORT"] ?? "5432"
        let db = env["POSTGRES_DB"] ?? user
        return "postgres://\(user)\(password)@\(host):\(port)/\(db)?sslmode=disable"
    }

    /// A database URL isolated for one test.
    static func makeURL(_ backend: Backend) throws -> (url: String, cleanup: @Sendable () async -> Void) {
        switch backend {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return ("sqlite:\(directory.path)/arcadia.sqlite", { try? FileManager.default.removeItem(at: directory) })
        case .postgres:
            guard let base = postgresURL else {
                throw TestSetupError(
                    "PostgreSQL tests need POSTGRES_HOSTNAME/POSTGRES_USER/... or ARCADIA_TEST_DATABASE_URL; with CI=true they fail instead of skipping"
                )
            }
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            let url = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
            return (
                url,
                {
                    try? await StoreFactory.withStore(try DatabaseURL.parse(url), migrate: false, logger: logger) { store in
                        try await (store as? PostgresSagaStore)?.dropSchema()
                    }
                }
            )
        }
    }

    /// Runs `body` with a migrated store on a fresh database.
    static func withStore<T: Sendable>(
        _ backend: Backend, maximumConnections: Int = 40, batchConcurrency: Int = 2, metricsFactory: (any MetricsFactory)? = nil,
        _ body: @Sendable (any ArcadiaStore, String) async throws -> T
    ) async throws -> T {
        let (url, cleanup) = try makeURL(backend)
        do {
            let result = try await StoreFactory.withStore(
                try DatabaseURL.parse(url), maximumConnections: maximumConnections, batchConcurrency: batchConcurrency, logger: logger,
                metricsFactory: metricsFactory
            ) {
                try await body($0, url)
            }
            await cleanup()
            return result
        } catch {
            await cleanup()
            throw error
        }
    }

    /// Engine settings for tests: a quick fallback poll, and a lease long enough that a test
    /// process starved of CPU on a loaded CI machine does not lose its own sagas (tests of lease
    /// expiry set their own).
    static let fastConfiguration = SagaEngine.Configuration(
        leaseDuration: .seconds(30), heartbeatInterval: .seconds(1), pollInterval: .milliseconds(200))

    /// Runs `body` with an engine and an in-process worker on a fresh database.
    static func withEngine<T: Sendable>(
        _ backend: Backend, registry: SagaRegistry = .testing, configuration: SagaEngine.Configuration = fastConfiguration,
        clock: any SagaClock = SystemClock(), concurrency: Int = 4, startWorker: Bool = true, maximumConnections: Int = 40,
        batchConcurrency: Int = 2, _ body: @Sendable (SagaEngine) async throws -> T
    ) async throws -> T {
        try await withStore(backend, maximumConnections: maximumConnections, batchConcurrency: batchConcurrency) { store, _ in
            let engine = SagaEngine(store: store, registry: registry, clock: clock, configuration: configuration, logger: logger)
            guard startWorker else { return try await body(engine) }
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await engine.makeWorker(configuration: .init(concurrency: concurrency)).run()
                    return nil
                }
                defer { group.cancelAll() }
                return try await body(engine)
            }
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension SagaStore {
    /// Claims at most one saga.
    func claimOne(_ request: ClaimRequest) async throws -> ClaimedSaga? {
        try await claim(request).claimed.first
    }
}
