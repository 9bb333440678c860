import Foundation
import Logging
import Metrics
import SQLiteNIO
import SagaEngine

/// The embedded default ``SagaStore``: one SQLite file in WAL mode.
///
/// One connection per process (``SQLiteDatabase``): each transaction is one job on its serial
/// queue, transactions waiting together share one `BEGIN IMMEDIATE … COMMIT` (each in its own
/// savepoint), and a second process waits its turn for the write lock (busy timeout). Several
/// processes may share the file (for example `arcadia worker` and `arcadia saga start`);
/// PostgreSQL is the backend for many workers.
package final class SQLiteSagaStore: SagaStore {
    /// Store settings.
    package struct Configuration: Sendable {
        /// Path of the database file (created if missing).
        package var path: String
        /// `PRAGMA synchronous`: `NORMAL` (default; in WAL mode durable across process crashes) or
        /// `FULL` (also across power loss, at one fsync per commit).
        package var synchronous: String
        /// How long to wait for another process's write lock.
        package var busyTimeout: Duration

        package init(path: String, synchronous: String = "NORMAL", busyTimeout: Duration = .seconds(10)) {
            self.path = path
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
        }
    }

    let db: SQLiteDatabase
    let configuration: Configuration
    let logger: Logger
    let counter: StatisticsCounter

    private init(db: SQLiteDatabase, configuration: Configuration, logger: Logger, counter: StatisticsCounter) {
        self.db = db
        self.configuration = configuration
        self.logger = logger
        self.counter = counter
    }

    /// Opens (creating if needed) the database file and sets WAL mode.
    /// - Parameter metricsFactory: where `arcadia_saga_commit_batch_size` (transactions per
    ///   physical commit) goes; default the bootstrapped one.
    package static func open(configuration: Configuration, logger: Logger, metricsFactory: (any MetricsFactory)? = nil) async throws
        -> SQLiteSagaStore
    {
        let directory = (configuration.path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            throw StorageError(.unreachable, "cannot open SQLite database \(configuration.path): directory \(directory) does not exist")
        }
        let counter = StatisticsCounter()
        let db = try SQLiteDatabase.open(
            path: configuration.path, busyTimeoutMilliseconds: Int32(configuration.busyTimeout.seconds * 1000), counter: counter,
            batchSizes: Recorder(label: "arcadia_saga_commit_batch_size", factory: metricsFactory ?? MetricsSystem.factory))
        let synchronous = configuration.synchronous == "FULL" ? "FULL" : "NORMAL"
        do {
            let mode = try await db.perform { c in
                let mode = try c.rows("PRAGMA journal_mode = WAL").first?.column("journal_mode")?.string
                try c.execute("PRAGMA synchronous = \(synchronous)")
                // Savepoint sub-journals (one per grouped transaction) stay in memory; 64 MB page cache.
                try c.execute("PRAGMA temp_store = MEMORY")
                try c.execute("PRAGMA cache_size = -65536")
                return mode
            }
            if mode?.lowercased() != "wal" {
                logger.warning("SQLite did not switch to WAL mode", metadata: ["mode": "\(mode ?? "?")"])
            }
        } catch {
            await db.close()
            throw StorageError(.unreachable, "cannot use SQLite database \(configuration.path): \(error)")
        }
        return SQLiteSagaStore(db: db, configuration: configuration, logger: logger, counter: counter)
    }

    /// Closes the connection.
    package func close() async throws {
        await db.close()
    }

    package var statistics: StoreStatistics { counter.snapshot }
}
