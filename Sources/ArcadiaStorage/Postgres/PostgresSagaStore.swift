import Foundation
import Logging
import Metrics
import PostgresNIO
import SagaEngine

/// The ``SagaStore`` for many workers: PostgreSQL through postgres-nio's `PostgresClient`.
///
/// Claims use `FOR UPDATE SKIP LOCKED`; each worker transition is one statement (data-modifying
/// CTEs fenced on the token), so the happy path costs one round trip and one commit per step.
/// Idle workers are woken by `LISTEN/NOTIFY` and poll only as a fallback.
///
/// The client must be running (`client.run()`, or as a service in a `ServiceGroup`) while the
/// store is used.
package final class PostgresSagaStore: SagaStore {
    /// Store settings.
    package struct Configuration: Sendable {
        package var host: String
        package var port: Int
        package var username: String
        package var password: String?
        package var database: String
        /// Schema for all tables (created by ``migrate()``); default `public`.
        package var schema: String?
        package var tls: TLSMode
        /// Pool size; workers need one connection per concurrent saga plus one for notifications.
        package var maximumConnections: Int
        /// How many batched commit statements may be in flight at once; 0 writes every commit alone.
        /// Commits that arrive while all are busy wait and go together in the next statement.
        package var batchConcurrency: Int
        /// The most commits one batched statement carries.
        package var maximumBatch: Int

        /// TLS use, as in libpq's `sslmode`.
        package typealias TLSMode = PostgresTLSMode

        package init(
            host: String = "localhost", port: Int = 5432, username: String, password: String? = nil, database: String,
            schema: String? = nil, tls: TLSMode = .prefer, maximumConnections: Int = 20, batchConcurrency: Int = 2,
            maximumBatch: Int = 64
        ) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.schema = schema
            self.tls = tls
            self.maximumConnections = maximumConnections
            self.batchConcurrency = batchConcurrency
            self.maximumBatch = maximumBatch
        }

        var clientConfiguration: PostgresClient.Configuration {
            let tls: PostgresClient.Configuration.TLS
            switch self.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(.makeClientConfiguration())
            case .require: tls = .require(.makeClientConfiguration())
            }
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
            configuration.options.maximumConnections = maximumConnections
            configuration.options.connectTimeout = .seconds(5)
            if let schema {
                configuration.options.additionalStartupParameters = [("search_path", schema)]
            }
            return configuration
        }

        /// The NOTIFY channel of `kind`, distinct per schema so test schemas do not wake each other.
        func channel(_ kind: NotificationChannel) -> String {
            let base = "arcadia_" + (schema ?? "public")
            let name: String
            switch kind {
            case .broadcast: name = base
            case .finished: name = base + "_f"
            case .deliveries(let worker): name = base + "_d_" + Self.stableHash(worker)
            }
            // Channel names are identifiers: at most 63 bytes.
            return name.utf8.count <= 63 ? name : "arcadia_" + Self.stableHash(name)
        }

        /// 64-bit FNV-1a as hex: the same in every process (unlike `Hasher`).
        static func stableHash(_ text: String) -> String {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return String(hash, radix: 16)
        }
    }

    package let client: PostgresClient
    let configuration: Configuration
    let logger: Logger
    let counter = StatisticsCounter()
    let batcher: CommitBatcher
    let notifier = NotificationSender()
    /// Groups starts delivered to workers; one group at a time, so two never pick the same slot.
    let starter: GroupWriter<NewSaga, CreateResult>

    /// Creates the store and its client; run ``client`` before using it.
    /// - Parameter metricsFactory: where `arcadia_saga_commit_batch_size` goes (default the bootstrapped one).
    package init(configuration: Configuration, logger: Logger, metricsFactory: (any MetricsFactory)? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.batcher = CommitBatcher(
            concurrency: configuration.batchConcurrency, maximumBatch: configuration.maximumBatch,
            batchSizes: Recorder(label: "arcadia_saga_commit_batch_size", factory: metricsFactory ?? MetricsSystem.factory))
        self.starter = GroupWriter(concurrency: 1, maximumBatch: configuration.maximumBatch)
        self.client = PostgresClient(configuration: configuration.clientConfiguration, backgroundLogger: logger)
    }

    package var statistics: StoreStatistics { counter.snapshot }

    /// Checks that the server answers, with a short timeout and an error that names the host.
    package func checkConnection() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.execute("SELECT 1") }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                throw StorageError(.unreachable, "no answer from PostgreSQL at \(self.configuration.host):\(self.configuration.port) within 10 s")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    // MARK: Low-level helpers

    /// Runs one statement on a pooled connection; returns all rows.
    @discardableResult
    func execute(_ query: PostgresQuery) async throws -> [PostgresRow] {
        counter.statement()
        do {
            var rows: [PostgresRow] = []
            for try await row in try await client.query(query, logger: logger) { rows.append(row) }
            return rows
        } catch {
            throw mapError(error)
        }
    }

    /// Runs `body` in a transaction (BEGIN … COMMIT, rolled back if it throws).
    func transaction<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        counter.statement(2)
        do {
            let result = try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            counter.commit()
            return result
        } catch {
            throw mapError(error)
        }
    }

    /// Runs one statement on a connection inside a transaction.
    @discardableResult
    func execute(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [PostgresRow] {
        counter.statement()
        var rows: [PostgresRow] = []
        for try await row in try await connection.query(query, logger: logger) { rows.append(row) }
        return rows
    }

    /// Turns a postgres-nio error into a ``StorageError`` that names the problem without SQL.
    func mapError(_ error: any Error) -> any Error {
        if error is StorageError || error is CancellationError { return error }
        if let failed = error as? PostgresTransactionError {
            // A transaction's body threw: its own error (a fence, a refusal) passes through as it is.
            if let closure = failed.closureError { return closure is PSQLError ? mapError(closure) : closure }
            if let cause = failed.beginError ?? failed.commitError ?? failed.rollbackError { return mapError(cause) }
        }
        if let error = error as? PSQLError {
            if let info = error.serverInfo {
                let state = info[.sqlState] ?? "?"
                let message = info[.message] ?? "unknown error"
                if state == "28P01" || state == "28000" {
                    return StorageError(
                        .unreachable, "PostgreSQL refused the credentials for user '\(configuration.username)': \(message)")
                }
                if state == "3D000" {
                    return StorageError(.unreachable, "PostgreSQL database '\(configuration.database)' does not exist: \(message)")
                }
                return StorageError(.query, "PostgreSQL error \(state): \(message)")
            }
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .sslUnsupported:
                return StorageError(
                    .unreachable,
                    "cannot reach PostgreSQL at \(configuration.host):\(configuration.port) (\(error.code)); is the server running and the URL right?"
                )
            default:
                return StorageError(.query, "PostgreSQL request failed (\(error.code))")
            }
        }
        return StorageError(
            .unreachable, "cannot reach PostgreSQL at \(configuration.host):\(configuration.port): \(error)")
    }
}

extension PostgresSagaStore {
    /// Drops the store's schema and everything in it (used to clean up isolated test schemas).
    /// Refuses to drop `public`.
    package func dropSchema() async throws {
        guard let schema = configuration.schema, schema != "public" else {
            throw StorageError(.query, "refusing to drop the public schema")
        }
        try await execute(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(Self.quoteIdentifier(schema)) CASCADE"))
    }
}
