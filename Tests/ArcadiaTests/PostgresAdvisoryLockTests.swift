import CloudOps
import Foundation
import SagaEngine
import Testing

@testable import ArcadiaStorage

/// Advisory locks belong to the whole PostgreSQL database; Arcadia keys them by schema.
@Suite("PostgreSQL advisory locks", .timeLimit(.minutes(2)))
struct PostgresAdvisoryLockTests {
    @Test(
        "a transaction holding every advisory lock of one schema does not hold up another schema's migration, lock keys or sync start",
        arguments: Backend.enabled.filter { $0 == .postgres })
    func locksArePerSchema(backend: Backend) async throws {
        try await TestDatabase.withStore(backend) { first, _ in
            let postgres = try #require(first as? PostgresSagaStore)
            let held = OneShot<Void>()
            let release = OneShot<Void>()
            let holder = Task {
                try await postgres.transaction { connection in
                    for lock in [PostgresAdvisoryLock.migrate, .lockKeys, .inventorySync] {
                        _ = try await postgres.execute(lock.query(schema: postgres.configuration.schema), on: connection)
                    }
                    held.fulfil(())
                    await release.value(orOnCancel: ())
                }
            }
            await held.value(orOnCancel: ())
            // With one lock for the whole database (as before), each of these waited for the holder:
            // a migration of a fresh schema, a start with a lock key, a sync start.
            try await TestDatabase.withStore(backend) { second, _ in
                let engine = SagaEngine(store: second, registry: .testing, logger: TestDatabase.logger)
                let started = try await engine.start("test-echo", inputs: ["steps": 1], options: .init(lockKeys: ["deployment:1"]))
                #expect(started.created)
                let now = Date()
                #expect(
                    try await second.beginSync(
                        SyncRun(trigger: "manual", holder: "b", startedAt: now), leaseUntil: now.addingTimeInterval(60), notStartedAfter: nil,
                        now: now))
            }
            release.fulfil(())
            try await holder.value
        }
    }
}
