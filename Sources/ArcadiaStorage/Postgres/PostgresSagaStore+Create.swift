import Foundation
import PostgresNIO
import SagaEngine

extension PostgresSagaStore {
    /// How long after its last refresh a registered worker still counts as alive (workers refresh
    /// every few seconds).
    static let workerLiveness = "15 seconds"

    package func createSaga(_ saga: NewSaga) async throws -> CreateResult {
        if case .idleWorker = saga.assignment, saga.lockKeys.isEmpty, configuration.batchConcurrency > 0 {
            // Starts delivered to workers go in groups: one statement assigns every saga of the
            // group a distinct free slot, and concurrent groups never pick the same slot.
            return try await starter.submit(saga, write: writeStarts)
        }
        return try await createOne(saga)
    }

    /// One saga, one statement.
    func createOne(_ saga: NewSaga) async throws -> CreateResult {
        var sql = SQLBuilder()
        let now = sql.bind(saga.now)
        let target: String
        let leaseUntil: Date?
        switch saga.assignment {
        case .none, .worker:
            // One text for both (prepared once): the worker is a parameter, NULL for none.
            var worker: String?
            if case .worker(let id, let until) = saga.assignment {
                worker = id
                leaseUntil = until
            } else {
                leaseUntil = nil
            }
            target = "SELECT w.id FROM (VALUES (\(sql.bind(worker))::text)) AS w(id) WHERE w.id IS NOT NULL"
        case .idleWorker(let excluded, let until):
            // A live worker in another process with a free slot (slots minus sagas it holds), the
            // freest first; the caller delivers the saga to it with a notification.
            target = """
                SELECT w.id FROM saga_workers w
                    CROSS JOIN LATERAL (SELECT count(*) AS busy FROM saga_runs r WHERE r.lease_owner = w.id) b
                    WHERE w.accepting AND w.last_seen > clock_timestamp() - interval '\(Self.workerLiveness)'
                      AND NOT (w.id = ANY(\(sql.bind(excluded))::text[])) AND w.slots > b.busy
                    ORDER BY w.slots - b.busy DESC, random()
                    LIMIT 1
                """
            leaseUntil = until
        }
        let claimedRunAt = sql.bind(leaseUntil ?? saga.runAt)
        sql.append(
            """
            WITH target AS (\(target)),
            ins AS (
                INSERT INTO saga_runs (id, kind, template, step_names, inputs, context, status, current_step,
                    deployment_id, tenant_id, triggered_by, idempotency_key, lock_keys, lock_blocked, hold_on_failure, run_at,
                    lease_owner, fencing_token, created_at, updated_at)
                SELECT \(sql.bind(saga.id)), \(sql.bind(saga.kind.rawValue)), \(sql.bind(saga.template)), \(sql.bind(saga.stepNames)),
                    \(sql.bind(try JSONValue.encodeToString(saga.inputs)))::jsonb, '{}'::jsonb,
                    CASE WHEN t.id IS NULL THEN 'pending' ELSE 'running' END, 0,
                    \(sql.bind(saga.deploymentID))::text, \(sql.bind(saga.tenantID))::text, \(sql.bind(saga.triggeredBy))::text,
                    \(sql.bind(saga.idempotencyKey))::text, k.keys,
                    -- keys are taken under an exclusive lock: any holder now is an earlier saga
                    EXISTS (SELECT 1 FROM saga_lock_keys h WHERE h.key = ANY(k.keys)), \(sql.bind(saga.holdOnFailure)),
                    CASE WHEN t.id IS NULL THEN \(sql.bind(saga.runAt)) ELSE \(claimedRunAt) END,
                    t.id, CASE WHEN t.id IS NULL THEN 0 ELSE 1 END, \(now), \(now)
                FROM (SELECT \(sql.bind(saga.lockKeys))::text[] AS keys) k LEFT JOIN target t ON true
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING \(Self.sagaColumns)
            ),
            ev AS (
                INSERT INTO saga_events (saga_id, at, kind, step_idx, detail)
                SELECT ins.id, \(now), 'saga_created', NULL, \(sql.bind("template \(saga.template), \(saga.stepNames.count) steps")) FROM ins
                UNION ALL
                SELECT ins.id, \(now), 'claimed', 0, ins.lease_owner FROM ins WHERE ins.lease_owner IS NOT NULL
                UNION ALL
                SELECT ins.id, \(now), 'lock_waiting', 0, 'an earlier saga holds one of its lock keys' FROM ins WHERE ins.lock_blocked
            ),
            a AS (
                -- started and claimed in one commit: the first step's attempt is recorded now
                INSERT INTO saga_step_results (saga_id, step_idx, step_name, status, attempts, started_at)
                SELECT ins.id, 0, ins.step_names[1], 'running', 1, \(now)
                FROM ins WHERE ins.lease_owner IS NOT NULL AND cardinality(ins.step_names) > 0
            ),
            lk AS (
                INSERT INTO saga_lock_keys (key, lock_seq, saga_id)
                SELECT k, nextval('saga_lock_seq'), ins.id FROM ins, unnest(ins.lock_keys) AS k
            )
            SELECT * FROM ins
            """)
        let statement = sql
        let inserted: [PostgresRow]
        if !saga.lockKeys.isEmpty {
            inserted = try await transaction { connection in
                try await self.lockKeysExclusively(on: connection)
                return try await self.execute(statement.query, on: connection)
            }
        } else if case .idleWorker = saga.assignment {
            inserted = try await execute(statement, as: CreateDeliveredShape.self)
            if !inserted.isEmpty { counter.commit() }
        } else {
            inserted = try await execute(statement, as: CreateShape.self)
            if !inserted.isEmpty { counter.commit() }
        }
        if let row = inserted.first { return CreateResult(saga: try Self.decodeSaga(row), created: true) }
        guard let key = saga.idempotencyKey,
            let existing = try await execute("SELECT \(unescaped: Self.sagaColumns) FROM saga_runs WHERE idempotency_key = \(key)").first
        else { throw StorageError(.query, "inserting the saga returned nothing") }
        return CreateResult(saga: try Self.decodeSaga(existing), created: false)
    }
}
