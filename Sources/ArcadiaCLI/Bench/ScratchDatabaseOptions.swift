import ArcadiaStorage
import ArgumentParser
import Foundation
import Logging

/// `--database` of the benchmarks that fill a database and throw it away, and what they share:
/// the scratch database, a quiet logger, figures rounded for printing.
struct ScratchDatabaseOptions: ParsableArguments {
    @Option(help: "Database URL (default: a new temporary SQLite file; a PostgreSQL URL gets a temporary schema).")
    var database: String?

    func validate() throws {
        if let database {
            do { _ = try DatabaseURL.parse(database) } catch let error as StorageError { throw ValidationError(error.message) }
        }
    }

    /// A logger for a benchmark: warnings and worse only, so its own figures stand out.
    static func logger() -> Logger {
        CLIEnvironment.bootstrapLogging(.warning)
        var logger = Logger(label: "arcadia.bench")
        logger.logLevel = .warning
        return logger
    }

    /// A database to fill and throw away: a temporary SQLite file, or a temporary schema of the
    /// PostgreSQL `--database`; the closure drops it.
    func scratch(logger: Logger) throws -> (url: DatabaseURL, cleanup: @Sendable () async -> Void) {
        guard let text = database, text.hasPrefix("postgres") else {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-bench-\(UUID().uuidString).sqlite").path
            return (
                try DatabaseURL.parse("sqlite:" + path),
                { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            )
        }
        let schema = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let url = try DatabaseURL.parse(text + (text.contains("?") ? "&" : "?") + "schema=\(schema)")
        return (
            url,
            {
                try? await StoreFactory.withStore(url, migrate: false, logger: logger) { store in
                    try await (store as? PostgresSagaStore)?.dropSchema()
                }
            }
        )
    }

    static func isPostgres(_ url: DatabaseURL) -> Bool {
        if case .postgres = url { return true }
        return false
    }

    /// A figure to three decimal places.
    static func round(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
