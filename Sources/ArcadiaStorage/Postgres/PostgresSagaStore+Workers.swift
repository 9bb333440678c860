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
        let messages = notifications.map { notification -> String in
            let channel: NotificationChannel
            switch notification {
            case .deliver(let delivery): channel = .deliveries(workerID: delivery.workerID)
            case .deliverByID(let worker, _): channel = .deliveries(workerID: worker)
            case .sagaFinished: channel = .finished
            case .workAvailable, .due, .cancelRequested: channel = .broadcast
            }
            // One text per message: the channel, a NUL, the payload (neither contains a NUL).
            return configuration.channel(channel) + "\u{0}" + NotificationPayload.encode(notification)
        }
        // Sent after the writing transaction committed, as its own statement: a NOTIFY inside the
        // writing transaction would hold PostgreSQL's notify lock across that commit's fsync.
        try await notifier.send(messages) { messages in
            let finished = self.configuration.channel(.finished) + "\u{0}"
            // Finished-saga announcements only serve observers (see StoreStatistics).
            if messages.allSatisfy({ $0.hasPrefix(finished) }) { self.counter.observation() } else { self.counter.statement() }
            var channels: [String] = []
            var payloads: [String] = []
            for message in messages {
                let parts = message.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
                channels.append(String(parts[0]))
                payloads.append(parts.count > 1 ? String(parts[1]) : "")
            }
            do {
                for try await _ in try await self.client.query(
                    "SELECT pg_notify(c, p) FROM unnest(\(channels)::text[], \(payloads)::text[]) AS m(c, p)", logger: self.logger)
                {}
            } catch {
                throw self.mapError(error)
            }
        }
    }

    package func listen(
        _ channels: [NotificationChannel], connected: @escaping @Sendable () -> Void,
        _ handler: @escaping @Sendable (StoreNotification) -> Void
    ) async throws {
        let names = channels.map { configuration.channel($0) }
        guard !names.isEmpty else { return }
        do {
            try await client.withConnection { connection in
                try await Self.listen(names[...], on: connection, opened: []) { streams in
                    connected()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for stream in streams {
                            group.addTask {
                                for try await notification in stream { handler(NotificationPayload.decode(notification.payload)) }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
            }
        } catch {
            if Task.isCancelled { return }
            throw mapError(error)
        }
    }

    /// Listens on every channel in `names` on one connection (each until `body` returns).
    private static func listen(
        _ names: ArraySlice<String>, on connection: PostgresConnection, opened: [PostgresNotificationSequence],
        _ body: @Sendable ([PostgresNotificationSequence]) async throws -> Void
    ) async throws {
        guard let name = names.first else { return try await body(opened) }
        try await connection.listen(on: name) { stream in
            try await listen(names.dropFirst(), on: connection, opened: opened + [stream], body)
        }
    }
}
