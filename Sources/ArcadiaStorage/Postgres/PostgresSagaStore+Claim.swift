import Foundation
import PostgresNIO
import SagaEngine

extension PostgresSagaStore {
    package func claim(_ request: ClaimRequest) async throws -> ClaimResult {
        var sql = SQLBuilder()
        sql.append("WITH ")
        appendClaim(request, to: &sql, gate: nil)
        sql.append("\n" + Self.claimSelect(request, &sql, from: "(SELECT 1) one"))
        let rows = request.sagaID == nil ? try await execute(sql, as: ClaimShape.self) : try await execute(sql.query)
        let result = try decodeClaims(rows)
        if !result.claimed.isEmpty { counter.commit() }
        counter.claim(claimed: result.claimed.count)
        return result
    }

    /// The final SELECT of a claim: one row per claimed saga (or one row of NULLs when none) with
    /// its step counters and when the next saga the claim did not take is due.
    static func claimSelect(_ request: ClaimRequest, _ sql: inout SQLBuilder, from: String, columns: String = "") -> String {
        """
        SELECT\(columns) c.*, ca.attempts AS step_attempts, ca.polls AS step_polls, (
            SELECT min(n.run_at) FROM saga_runs n
            WHERE \(SagaSQL.due("n"))
              AND n.id NOT IN (SELECT pick_id FROM pick)\(nextDueFilter(request, &sql))) AS next_due
        FROM \(from) LEFT JOIN c ON true LEFT JOIN ca ON ca.saga_id = c.id
        """
    }

    private static func nextDueFilter(_ request: ClaimRequest, _ sql: inout SQLBuilder) -> String {
        var filter = ""
        if let only = request.sagaID { filter += " AND n.id = \(sql.bind(only))" }
        if let excluded = request.excluding { filter += " AND n.id <> \(sql.bind(excluded))" }
        return filter
    }

    func decodeClaims(_ rows: [PostgresRow]) throws -> ClaimResult {
        var claimed: [ClaimedSaga] = []
        var nextDue: Date?
        for row in rows {
            let r = row.makeRandomAccess()
            nextDue = try r["next_due"].decode(Date?.self)
            guard try r["id"].decode(UUID?.self) != nil else { continue }
            claimed.append(
                ClaimedSaga(
                    saga: try Self.decodeSaga(row), attempts: try r["step_attempts"].decode(Int?.self) ?? 0,
                    polls: try r["step_polls"].decode(Int?.self) ?? 0, reclaimedFrom: try r["prior_owner"].decode(String?.self)))
        }
        return ClaimResult(claimed: claimed, nextDue: nextDue)
    }

    /// The claim as CTEs (`pick_due`, `pick_expired`, `pick`, `c`, `ca`, `cev`); with a `gate` CTE,
    /// it only acts if that CTE has a row.
    func appendClaim(_ request: ClaimRequest, to sql: inout SQLBuilder, gate: String?) {
        let worker = sql.bind(request.workerID)
        let leaseUntil = sql.bind(request.leaseUntil)
        let now = sql.bind(request.now)
        var filter = ""
        if let only = request.sagaID { filter += " AND q.id = \(sql.bind(only))" }
        if let excluded = request.excluding { filter += " AND q.id <> \(sql.bind(excluded))" }
        if let gate { filter += " AND EXISTS (SELECT 1 FROM \(gate))" }
        let limit = sql.bind(request.limit)
        sql.append(
            """
            pick_due AS (
                SELECT q.id AS pick_id, q.wait_kind AS prior_wait, q.lease_owner AS prior_owner, q.run_at AS pick_run_at, q.seq AS pick_seq FROM saga_runs q
                WHERE \(SagaSQL.due("q")) AND q.run_at <= \(now)\(filter)
                  -- a guard: blocked sagas are marked lock_blocked and not in this index at all
                  AND (q.lock_keys = '{}' OR NOT EXISTS (
                      SELECT 1 FROM saga_lock_keys mine
                      JOIN saga_lock_keys other ON other.key = mine.key AND other.lock_seq < mine.lock_seq
                      WHERE mine.saga_id = q.id))
                ORDER BY q.run_at, q.seq
                FOR UPDATE SKIP LOCKED
                LIMIT \(limit)
            ),
            pick_expired AS (
                -- held sagas whose lease ran out (their worker died): only on the periodic look
                SELECT q.id AS pick_id, q.wait_kind AS prior_wait, q.lease_owner AS prior_owner, q.run_at AS pick_run_at, q.seq AS pick_seq FROM saga_runs q
                WHERE \(sql.bind(request.includeExpiredLeases)) AND \(SagaSQL.leased("q")) AND q.run_at <= \(now)\(filter)
                ORDER BY q.run_at
                FOR UPDATE SKIP LOCKED
                LIMIT \(limit)
            ),
            pick AS (
                SELECT * FROM (SELECT * FROM pick_due UNION ALL SELECT * FROM pick_expired) both_kinds ORDER BY pick_run_at, pick_seq LIMIT \(limit)
            ),

            """)
        sql.append(
            """
            c AS (
                -- wait_kind is cleared by the claim; its prior value says whether this is a poll
                UPDATE saga_runs r SET
                    status = CASE WHEN r.status IN ('pending', 'waiting') AND NOT r.cancel_requested THEN 'running' ELSE r.status END,
                    lease_owner = \(worker), run_at = \(leaseUntil), fencing_token = r.fencing_token + 1, updated_at = \(now),
                    wait_kind = NULL
                FROM pick
                WHERE r.id = pick.pick_id
                RETURNING \(Self.sagaColumns), pick.prior_wait, pick.prior_owner
            ),
            ca AS (
                -- record the attempt of the step about to run (a poll after a durable wait is not an
                -- attempt, nor is the re-claim of a saga handed back before its step ran)
                INSERT INTO saga_step_results (saga_id, step_idx, step_name, status, attempts, polls, started_at)
                SELECT c.id, c.current_step, c.step_names[c.current_step + 1], 'running',
                    CASE WHEN c.prior_wait IN ('poll', 'handoff') THEN 0 ELSE 1 END,
                    CASE WHEN c.prior_wait = 'poll' THEN 1 ELSE 0 END, \(now)
                FROM c
                WHERE c.status = 'running' AND NOT c.cancel_requested AND c.current_step < cardinality(c.step_names)
                ON CONFLICT (saga_id, step_idx) DO UPDATE SET
                    status = 'running',
                    attempts = saga_step_results.attempts + excluded.attempts,
                    polls = saga_step_results.polls + excluded.polls,
                    started_at = COALESCE(saga_step_results.started_at, excluded.started_at)
                RETURNING saga_id, attempts, polls
            ),
            cev AS (
                INSERT INTO saga_events (saga_id, at, kind, step_idx, detail)
                SELECT c.id, \(now), CASE WHEN c.prior_owner IS NULL THEN 'claimed' ELSE 'reclaimed' END, c.current_step,
                    CASE WHEN c.prior_owner IS NULL THEN \(worker) ELSE \(worker) || ' (the lease of ' || c.prior_owner || ' ran out)' END
                FROM c
            )
            """)
    }
}
