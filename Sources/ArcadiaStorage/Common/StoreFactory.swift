import CloudOps
import Logging
import Metrics
import PostgresNIO
import SagaEngine

/// Opens the store a ``DatabaseURL`` names, for the duration of a closure.
public enum StoreFactory {
    /// Opens the store (the saga tables and the inventory and desired state, on one connection
    /// pool), applies migrations if asked, runs `body`, then closes the store.
    ///
    /// For PostgreSQL the client runs in a child task while `body` runs, and the server is checked
    /// first so that an unreachable database fails fast with a clear error. `maximumConnections`
    /// and `batchConcurrency` (see ``PostgresSagaStore/Configuration``) apply to PostgreSQL only.
    package static func withStore<T: Sendable>(
        _ url: DatabaseURL, migrate: Bool = true, maximumConnections: Int = 20, batchConcurrency: Int = 2, logger: Logger,
        metricsFactory: (any MetricsFactory)? = nil, _ body: @Sendable (any ArcadiaStore) async throws -> T
    ) async throws -> T {
        switch url {
        case .sqlite(let path):
            let store = try await SQLiteSagaStore.open(configuration: .init(path: path), logger: logger, metricsFactory: metricsFactory)
            do {
                if migrate { try await store.migrate() }
                let result = try await body(store)
                try? await store.close()
                return result
            } catch {
                try? await store.close()
                throw error
            }
        case .postgres(let parts):
            let store = PostgresSagaStore(
                configuration: .init(
                    host: parts.host, port: parts.port, username: parts.username, password: parts.password,
                    database: parts.database, schema: parts.schema, tls: parts.tls, maximumConnections: maximumConnections,
                    batchConcurrency: batchConcurrency),
                logger: logger, metricsFactory: metricsFactory)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    await store.client.run()
                    return nil
                }
                defer { group.cancelAll() }
                try await store.checkConnection()
                if migrate { try await store.migrate() }
                return try await body(store)
            }
        }
    }

    /// Opens the store a URL names (applying migrations), and runs `body` with a ``SagaEngine`` on it.
    ///
    /// ```swift
    /// try await StoreFactory.withEngine(try DatabaseURL.parse("sqlite:app.sqlite"), registry: registry, logger: logger) { engine in
    ///     let worker = engine.makeWorker(configuration: .init(concurrency: 8))
    ///     try await ServiceGroup(services: [worker], logger: logger).run()
    /// }
    /// ```
    /// - Parameters:
    ///   - maximumConnections: PostgreSQL connections (a worker needs its concurrency plus four).
    ///   - metricsFactory: where the engine's metrics go; default the bootstrapped `MetricsSystem`.
    public static func withEngine<T: Sendable>(
        _ url: DatabaseURL, registry: SagaRegistry, clock: any SagaClock = SystemClock(), configuration: SagaEngine.Configuration = .init(),
        maximumConnections: Int = 20, logger: Logger, metricsFactory: (any MetricsFactory)? = nil,
        _ body: @Sendable (SagaEngine) async throws -> T
    ) async throws -> T {
        try await withStore(url, maximumConnections: maximumConnections, logger: logger, metricsFactory: metricsFactory) { store in
            try await body(
                SagaEngine(
                    store: store, registry: registry, clock: clock, configuration: configuration, logger: logger, metricsFactory: metricsFactory))
        }
    }
}
