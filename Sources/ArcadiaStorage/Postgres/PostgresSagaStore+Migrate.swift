import Foundation
import PostgresNIO
import SagaEngine

extension PostgresSagaStore {
    package func migrate() async throws {
        let schema = configuration.schema
        try await transaction { connection in
            // Several workers may start at once: one migrates, the others wait and then see it done.
            try await self.execute(PostgresAdvisoryLock.migrate.query(schema: schema), on: connection)
            if let schema {
                try await self.execute(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(Self.quoteIdentifier(schema))"), on: connection)
            }
            try await self.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)",
                on: connection)
            var applied = Set<Int>()
            for row in try await self.execute("SELECT version FROM schema_migrations", on: connection) {
                applied.insert(try row.decode(Int.self))
            }
            let known = PostgresMigrations.all.map(\.version).max() ?? 0
            if let newest = applied.max(), newest > known {
                throw StorageError(
                    .schemaTooNew, "database schema version \(newest) is newer than this arcadia understands (\(known)); upgrade arcadia")
            }
            for migration in PostgresMigrations.all where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await self.execute(PostgresQuery(unsafeSQL: statement), on: connection)
                }
                try await self.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(migration.version), \(migration.name), now())",
                    on: connection)
                self.logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
        }
    }

    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Serialises every change to lock keys (starts and releases of sagas that have keys, operator
    /// re-acquisitions) until commit. Sequence numbers are then drawn in commit order, and a saga
    /// woken by one release is never left blocked by a release committing at the same time
    /// (each release sees the other's rows deleted or waits for them).
    func lockKeysExclusively(on connection: PostgresConnection) async throws {
        try await execute(PostgresAdvisoryLock.lockKeys.query(schema: configuration.schema), on: connection)
    }
}
