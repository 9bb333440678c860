import Foundation
import PostgresNIO
import SagaEngine

/// Starts delivered to workers in other processes, many in one statement.
extension PostgresSagaStore {
    /// Inserts `sagas` (no lock keys, assignment `.idleWorker`) in one statement: each gets a
    /// distinct free slot of a live worker (the first free slot of every worker before any second
    /// one), or none when no slot is left. When PostgreSQL rejects the statement, each saga is
    /// inserted alone; when the outcome is unknown, every saga gets the error.
    func writeStarts(_ sagas: [NewSaga]) async -> [Result<CreateResult, any Error>] {
        guard sagas.count > 1 else { return await createEachAlone(sagas) }
        var returned: [UUID: SagaRecord] = [:]
        do {
            let rows = try await executeUnmapped(try startsStatement(sagas), as: StartsShape.self)
            for row in rows {
                let saga = try Self.decodeSaga(row)
                returned[saga.id] = saga
            }
            if !rows.isEmpty { counter.commit() }
        } catch let error as PSQLError where error.serverInfo != nil {
            return await createEachAlone(sagas)
        } catch {
            let mapped = mapError(error)
            return sagas.map { _ in .failure(mapped) }
        }
        // The whole group's deliveries go in one notification statement, sent here once the group
        // is committed (when it fails, each starter is told the saga was not delivered and sends it).
        let deliveries = returned.values.compactMap { saga -> StoreNotification? in
            guard let worker = saga.leaseOwner else { return nil }
            return .deliver(Delivery(workerID: worker, ClaimedSaga(saga: saga, attempts: saga.stepNames.isEmpty ? 0 : 1, polls: 0)))
        }
        var delivered = false
        if !deliveries.isEmpty {
            do {
                try await notify(deliveries)
                delivered = true
            } catch {
                logger.warning("could not deliver started sagas; their starters retry", metadata: ["error": "\(error)"])
            }
        }
        var results: [Result<CreateResult, any Error>] = []
        for saga in sagas {
            if let record = returned[saga.id] {
                results.append(.success(CreateResult(saga: record, created: true, delivered: delivered && record.leaseOwner != nil)))
                continue
            }
            // Its idempotency key already belonged to another saga.
            do {
                guard let key = saga.idempotencyKey,
                    let existing = try await execute("SELECT \(unescaped: Self.sagaColumns) FROM saga_runs WHERE idempotency_key = \(key)").first
                else { throw StorageError(.query, "inserting the saga returned nothing") }
                results.append(.success(CreateResult(saga: try Self.decodeSaga(existing), created: false)))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    private func createEachAlone(_ sagas: [NewSaga]) async -> [Result<CreateResult, any Error>] {
        var results: [Result<CreateResult, any Error>] = []
        for saga in sagas {
            do { results.append(.success(try await createOne(saga))) } catch { results.append(.failure(error)) }
        }
        return results
    }

    private func startsStatement(_ sagas: [NewSaga]) throws -> SQLBuilder {
        var sql = SQLBuilder()
        var excluded = Set<String>()
        var leases: [Date] = []
        for saga in sagas {
            if case .idleWorker(let workers, let until) = saga.assignment {
                excluded.formUnion(workers)
                leases.append(until)
            } else {
                leases.append(saga.runAt)
            }
        }
        let ids = sql.bind(sagas.map(\.id))
        let kinds = sql.bind(sagas.map(\.kind.rawValue))
        let templates = sql.bind(sagas.map(\.template))
        let stepNames = sql.bind(try sagas.map { try JSONValue.encodeToString($0.stepNames) })
        let inputs = sql.bind(try sagas.map { try JSONValue.encodeToString($0.inputs) })
        // Text arrays carry '' for "none" (none of these is ever legitimately empty).
        let deployments = sql.bind(sagas.map { $0.deploymentID ?? "" })
        let tenants = sql.bind(sagas.map { $0.tenantID ?? "" })
        let triggers = sql.bind(sagas.map { $0.triggeredBy ?? "" })
        let keys = sql.bind(sagas.map { $0.idempotencyKey ?? "" })
        let holds = sql.bind(sagas.map(\.holdOnFailure))
        let runAts = sql.bind(sagas.map(\.runAt))
        let leaseUntils = sql.bind(leases)
        let nows = sql.bind(sagas.map(\.now))
        sql.append(
            """
            WITH i AS (
                SELECT * FROM unnest(\(ids)::uuid[], \(kinds)::text[], \(templates)::text[], \(stepNames)::text[], \(inputs)::text[],
                    \(deployments)::text[], \(tenants)::text[], \(triggers)::text[], \(keys)::text[], \(holds)::boolean[],
                    \(runAts)::timestamptz[], \(leaseUntils)::timestamptz[], \(nows)::timestamptz[])
                    WITH ORDINALITY AS t(id, kind, template, step_names, inputs, deployment_id, tenant_id, triggered_by, idempotency_key,
                        hold, run_at, lease_until, now, ord)
            ),
            free AS (
                -- one row per free slot of a live worker in another process (slots minus sagas it holds)
                SELECT w.id AS worker, n.n FROM saga_workers w
                CROSS JOIN LATERAL (SELECT count(*)::integer AS busy FROM saga_runs r WHERE r.lease_owner = w.id) b
                CROSS JOIN LATERAL generate_series(1, w.slots - b.busy) AS n(n)
                WHERE w.accepting AND w.last_seen > clock_timestamp() - interval '\(Self.workerLiveness)'
                  AND NOT (w.id = ANY(\(sql.bind(Array(excluded)))::text[]))
            ),
            slot AS (SELECT worker, row_number() OVER (ORDER BY n, random()) AS rn FROM free),
            p AS (SELECT i.*, slot.worker FROM i LEFT JOIN slot ON slot.rn = i.ord),
            ins AS (
                INSERT INTO saga_runs (id, kind, template, step_names, inputs, context, status, current_step,
                    deployment_id, tenant_id, triggered_by, idempotency_key, lock_keys, lock_blocked, hold_on_failure, run_at,
                    lease_owner, fencing_token, created_at, updated_at)
                SELECT p.id, p.kind, p.template, ARRAY(SELECT jsonb_array_elements_text(p.step_names::jsonb)), p.inputs::jsonb, '{}'::jsonb,
                    CASE WHEN p.worker IS NULL THEN 'pending' ELSE 'running' END, 0,
                    NULLIF(p.deployment_id, ''), NULLIF(p.tenant_id, ''), NULLIF(p.triggered_by, ''), NULLIF(p.idempotency_key, ''),
                    '{}'::text[], false, p.hold, CASE WHEN p.worker IS NULL THEN p.run_at ELSE p.lease_until END,
                    p.worker, CASE WHEN p.worker IS NULL THEN 0 ELSE 1 END, p.now, p.now
                FROM p ORDER BY p.ord
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING \(Self.sagaColumns)
            ),
            ev AS (
                INSERT INTO saga_events (saga_id, at, kind, step_idx, detail)
                SELECT ins.id, ins.created_at, 'saga_created', NULL,
                    'template ' || ins.template || ', ' || cardinality(ins.step_names) || ' steps' FROM ins
                UNION ALL
                SELECT ins.id, ins.created_at, 'claimed', 0, ins.lease_owner FROM ins WHERE ins.lease_owner IS NOT NULL
            ),
            a AS (
                -- started and claimed in one commit: the first step's attempt is recorded now
                INSERT INTO saga_step_results (saga_id, step_idx, step_name, status, attempts, started_at)
                SELECT ins.id, 0, ins.step_names[1], 'running', 1, ins.created_at
                FROM ins WHERE ins.lease_owner IS NOT NULL AND cardinality(ins.step_names) > 0
            )
            SELECT * FROM ins
            """)
        return sql
    }
}
