import Foundation
import Logging
import SQLiteNIO
import SagaEngine

/// The embedded default ``SagaStore``: one SQLite file in WAL mode.
///
/// One connection per process; each transaction runs under a FIFO lock as `BEGIN IMMEDIATE …
/// COMMIT`, so transactions never interleave and a second process waits its turn (busy timeout).
/// Several processes may share the file (for example `arcadia worker` and `arcadia saga start`);
/// PostgreSQL is the backend for many workers.
public final class SQLiteSagaStore: SagaStore {
    /// Store settings.
    public struct Configuration: Sendable {
        /// Path of the database file (created if missing).
        public var path: String
        /// `PRAGMA synchronous`: `NORMAL` (default; in WAL mode durable across process crashes) or
        /// `FULL` (also across power loss, at one fsync per commit).
        public var synchronous: String
        /// How long to wait for another process's write lock.
        public var busyTimeout: Duration

        public init(path: String, synchronous: String = "NORMAL", busyTimeout: Duration = .seconds(10)) {
            self.path = path
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
        }
    }

    let connection: SQLiteConnection
    let configuration: Configuration
    let logger: Logger
    let lock = AsyncLock()
    let counter = StatisticsCounter()

    private init(connection: SQLiteConnection, configuration: Configuration, logger: Logger) {
        self.connection = connection
        self.configuration = configuration
        self.logger = logger
    }

    /// Opens (creating if needed) the database file and sets WAL mode.
    public static func open(configuration: Configuration, logger: Logger) async throws -> SQLiteSagaStore {
        let directory = (configuration.path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            throw StorageError(.unreachable, "cannot open SQLite database \(configuration.path): directory \(directory) does not exist")
        }
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: configuration.path), logger: logger)
        } catch {
            throw StorageError(.unreachable, "cannot open SQLite database \(configuration.path): \(error)", underlying: error)
        }
        let store = SQLiteSagaStore(connection: connection, configuration: configuration, logger: logger)
        do {
            let mode = try await store.rows("PRAGMA journal_mode = WAL").first?.column("journal_mode")?.string
            if mode?.lowercased() != "wal" {
                logger.warning("SQLite did not switch to WAL mode", metadata: ["mode": "\(mode ?? "?")"])
            }
            _ = try await store.rows("PRAGMA synchronous = \(configuration.synchronous == "FULL" ? "FULL" : "NORMAL")")
            _ = try await store.rows("PRAGMA busy_timeout = \(Int(configuration.busyTimeout.seconds * 1000))")
        } catch {
            try? await connection.close()
            throw StorageError(.unreachable, "cannot use SQLite database \(configuration.path): \(error)", underlying: error)
        }
        return store
    }

    /// Closes the connection.
    public func close() async throws {
        try await connection.close()
    }

    public var statistics: StoreStatistics { counter.snapshot }

    // MARK: Low-level helpers

    /// Runs one statement and returns its rows.
    @discardableResult
    func rows(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        counter.statement()
        let collected = RowCollector()
        try await connection.query(sql, binds) { row in collected.append(row) }
        return collected.rows
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`; rolls back if it throws.
    func transaction<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await lock.withLock {
            try await rows("BEGIN IMMEDIATE")
            do {
                let result = try await body()
                try await rows("COMMIT")
                counter.commit()
                return result
            } catch {
                _ = try? await rows("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs read-only statements under the lock (the connection is shared).
    func read<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await lock.withLock { try await body() }
    }
}

/// Collects rows delivered by sqlite-nio's callback.
final class RowCollector: @unchecked Sendable {
    // Rows are delivered sequentially on the thread pool before the query future completes.
    var rows: [SQLiteRow] = []
    func append(_ row: SQLiteRow) { rows.append(row) }
}
