import Logging
import PostgresNIO
import SagaEngine

/// Opens the ``SagaStore`` a ``DatabaseURL`` names, for the duration of a closure.
public enum StoreFactory {
    /// Opens the store, applies migrations if asked, runs `body`, then closes the store.
    ///
    /// For PostgreSQL the client runs in a child task while `body` runs, and the server is checked
    /// first so that an unreachable database fails fast with a clear error. `maximumConnections`
    /// and `batchConcurrency` (see ``PostgresSagaStore/Configuration``) apply to PostgreSQL only.
    public static func withStore<T: Sendable>(
        _ url: DatabaseURL, migrate: Bool = true, maximumConnections: Int = 20, batchConcurrency: Int = 2, logger: Logger,
        _ body: @Sendable (any SagaStore) async throws -> T
    ) async throws -> T {
        switch url {
        case .sqlite(let path):
            let store = try await SQLiteSagaStore.open(configuration: .init(path: path), logger: logger)
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
                logger: logger)
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
}
