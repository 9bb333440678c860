import Foundation
import Logging
import PostgresNIO
import SagaEngine

extension PostgresSagaStore {
    package var deliversAcrossProcesses: Bool { true }

    package func registerWorker(id: String, slots: Int, accepting: Bool) async throws {
        try await execute(
            """
            WITH gone AS (DELETE FROM saga_workers WHERE last_seen < clock_timestamp() - interval '1 day')
            INSERT INTO saga_workers (id, slots, accepting, started_at, last_seen)
            VALUES (\(id), \(slots), \(accepting), clock_timestamp(), clock_timestamp())
            ON CONFLICT (id) DO UPDATE SET slots = excluded.slots, accepting = excluded.accepting, last_seen = excluded.last_seen
            """)
    }

    package func deregisterWorker(id: String) async throws {
        try await execute("DELETE FROM saga_workers WHERE id = \(id)")
    }

    package func sagasAssigned(to workerID: String, excluding: Set<UUID>) async throws -> [ClaimedSaga] {
        try await execute(
            """
            SELECT r.*, CASE WHEN r.status = 'compensating' THEN t.compensation_attempts ELSE t.attempts END AS step_attempts,
                t.polls AS step_polls
            FROM (
                SELECT \(unescaped: Self.sagaColumns) FROM saga_runs
                WHERE lease_owner = \(workerID) AND status IN \(unescaped: SagaSQL.runnableStatuses) AND NOT (id = ANY(\(Array(excluding))))
            ) r LEFT JOIN saga_step_results t ON t.saga_id = r.id AND t.step_idx = r.current_step
            """
        ).map { row in
            let r = row.makeRandomAccess()
            return ClaimedSaga(
                saga: try Self.decodeSaga(row), attempts: try r["step_attempts"].decode(Int?.self) ?? 0,
                polls: try r["step_polls"].decode(Int?.self) ?? 0)
        }
    }

    // MARK: Notifications

    package func notify(_ notifications: [StoreNotification]) async throws {
        guard !notifications.isEmpty else { return }
        let channel = configuration.channel
        // Sent after the writing transaction committed, as its own statement: a NOTIFY inside the
        // writing transaction would hold PostgreSQL's notify lock across that commit's fsync.
        try await notifier.send(notifications.map(NotificationPayload.encode)) { payloads in
            // Finished-saga announcements only serve observers (see StoreStatistics).
            if payloads.allSatisfy({ $0.hasPrefix("f:") }) { self.counter.observation() } else { self.counter.statement() }
            do {
                for try await _ in try await self.client.query(
                    "SELECT pg_notify(\(channel), p) FROM unnest(\(payloads)::text[]) AS p", logger: self.logger)
                {}
            } catch {
                throw self.mapError(error)
            }
        }
    }

    package func listen(
        connected: @escaping @Sendable () -> Void, _ handler: @escaping @Sendable (StoreNotification) -> Void
    ) async throws {
        let channel = configuration.channel
        do {
            try await client.withConnection { connection in
                try await connection.listen(on: channel) { notifications in
                    connected()
                    for try await notification in notifications {
                        handler(NotificationPayload.decode(notification.payload))
                    }
                }
            }
        } catch {
            if Task.isCancelled { return }
            throw mapError(error)
        }
    }
}
