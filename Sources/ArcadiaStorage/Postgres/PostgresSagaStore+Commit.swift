import Foundation
import PostgresNIO
import SagaEngine

extension PostgresSagaStore {
    /// Records an attempt on a step row that may already exist: counters add up, the first start
    /// time stays (the upsert of the single-commit and the batched statement).
    static let countAttempt = """
        ON CONFLICT (saga_id, step_idx) DO UPDATE SET
            status = excluded.status,
            attempts = saga_step_results.attempts + excluded.attempts,
            polls = saga_step_results.polls + excluded.polls,
            compensation_attempts = saga_step_results.compensation_attempts + excluded.compensation_attempts,
            started_at = COALESCE(saga_step_results.started_at, excluded.started_at)
        """

    package func commit(_ commit: SagaCommit) async throws -> CommitResult {
        if configuration.batchConcurrency > 0, Self.isBatchable(commit) {
            return try await batcher.commit(commit, write: writeBatch)
        }
        return try await commitAlone(commit)
    }

    /// One commit as its own statement (and transaction).
    func commitAlone(_ commit: SagaCommit) async throws -> CommitResult {
        let statement = try commitStatement(commit)
        let result: CommitResult
        switch commit.locks {
        case .release, .reacquire:
            // Lock keys change under the exclusive lock-key lock (see lockKeysExclusively).
            result = try await transaction { connection in
                try await self.lockKeysExclusively(on: connection)
                let rows = try await self.execute(statement.query, on: connection)
                guard !rows.isEmpty else { return .fenced }
                if case .reacquire = commit.locks {
                    // Keys taken again are behind their current holders: blocked until those end.
                    try await self.execute(
                        """
                        UPDATE saga_runs q SET lock_blocked = EXISTS (
                            SELECT 1 FROM saga_lock_keys mine
                            JOIN saga_lock_keys other ON other.key = mine.key AND other.lock_seq < mine.lock_seq
                            WHERE mine.saga_id = q.id)
                        WHERE q.id = \(commit.sagaID)
                        """, on: connection)
                }
                return try self.decodeCommit(rows, commit)
            }
        case .keep:
            let rows: [PostgresRow]
            switch (commit.attempt, commit.claimNext, commit.stepUpdates.count, commit.events.count) {
            case (.some, nil, 1, 2): rows = try await execute(statement, as: AdvanceShape.self)
            case (nil, .some, 1, 2) where commit.status == .completed: rows = try await execute(statement, as: FinishShape.self)
            case (nil, nil, 1, 2) where commit.status == .completed: rows = try await execute(statement, as: CompleteShape.self)
            default: rows = try await execute(statement.query)
            }
            guard !rows.isEmpty else { return .fenced }
            result = try decodeCommit(rows, commit)
            counter.commit()
        }
        if result.applied, commit.wakeWorkers { try await notify([.workAvailable]) }
        return result
    }

    private func decodeCommit(_ rows: [PostgresRow], _ commit: SagaCommit) throws -> CommitResult {
        let r = rows[0].makeRandomAccess()
        let attempts = try r[commit.attempt?.phase == .compensation ? "compensation_attempts" : "attempts"].decode(Int?.self)
        var result = CommitResult(
            applied: true, cancelRequested: try r["commit_cancel_requested"].decode(Bool.self), attempts: attempts ?? 0,
            polls: try r["polls"].decode(Int?.self) ?? 0)
        if commit.claimNext != nil { result.claim = try decodeClaims(rows) }
        return result
    }

    /// One statement: the fenced saga update, then step updates, the next attempt, events, lock
    /// changes and the claim of the next saga as CTEs that only act when the fenced update matched.
    private func commitStatement(_ commit: SagaCommit) throws -> SQLBuilder {
        var sql = SQLBuilder()
        let now = sql.bind(commit.now)
        let (errorMode, errorText) = Self.errorBinds(commit.error)
        sql.append(
            """
            WITH s AS (
                UPDATE saga_runs SET
                    status = \(sql.bind(commit.status.rawValue)), current_step = \(sql.bind(commit.currentStep)),
                    context = COALESCE(\(sql.bind(try commit.context.map { try JSONValue.encodeToString($0) }))::jsonb, context),
                    error = CASE \(sql.bind(errorMode))::text WHEN 'keep' THEN error WHEN 'clear' THEN NULL ELSE \(sql.bind(errorText))::text END,
                    run_at = \(sql.bind(commit.runAt)), wait_kind = \(sql.bind(commit.waitKind?.rawValue))::text,
                    lease_owner = CASE WHEN \(sql.bind(commit.releaseLease)) THEN NULL ELSE lease_owner END,
                    finished_at = \(sql.bind(commit.finished ? commit.now : nil))::timestamptz,
                    cancel_requested = COALESCE(\(sql.bind(commit.cancelRequested))::boolean, cancel_requested),
                    fencing_token = fencing_token + \(sql.bind(commit.bumpFencingToken ? 1 : 0))::bigint,
                    updated_at = \(now)
                WHERE id = \(sql.bind(commit.sagaID)) AND fencing_token = \(sql.bind(commit.fencingToken))
                  -- a worker writes only while it holds the lease (operators bump the token instead)
                  AND (lease_owner IS NOT NULL OR \(sql.bind(commit.bumpFencingToken)))
                RETURNING id, cancel_requested
            )
            """)
        for (offset, update) in commit.stepUpdates.enumerated() {
            let (mode, text) = Self.errorBinds(update.error)
            sql.append(
                """
                , u\(offset) AS (
                    UPDATE saga_step_results t SET
                        status = \(sql.bind(update.status.rawValue)),
                        output = COALESCE(\(sql.bind(try update.output.map { try JSONValue.encodeToString($0) }))::jsonb, t.output),
                        error = CASE \(sql.bind(mode))::text WHEN 'keep' THEN t.error WHEN 'clear' THEN NULL ELSE \(sql.bind(text))::text END,
                        finished_at = CASE WHEN \(sql.bind(update.finished)) THEN \(now) ELSE t.finished_at END,
                        compensated_at = CASE WHEN \(sql.bind(update.compensated)) THEN \(now) ELSE t.compensated_at END,
                        attempts = CASE WHEN \(sql.bind(update.resetAttempts)) THEN 0 ELSE t.attempts END,
                        compensation_attempts = CASE WHEN \(sql.bind(update.resetCompensationAttempts)) THEN 0 ELSE t.compensation_attempts END
                    FROM s WHERE t.saga_id = s.id AND t.step_idx = \(sql.bind(update.index))
                    RETURNING 1
                )
                """)
        }
        var columns = " s.cancel_requested AS commit_cancel_requested,"
        var from = "s"
        if let attempt = commit.attempt {
            let status: StepStatus = attempt.phase == .compensation ? .compensating : .running
            sql.append(
                """
                , a AS (
                    INSERT INTO saga_step_results (saga_id, step_idx, step_name, status, attempts, polls, compensation_attempts, started_at)
                    SELECT s.id, \(sql.bind(attempt.index)), \(sql.bind(attempt.name)), \(sql.bind(status.rawValue)),
                        \(sql.bind(attempt.phase == .attempt ? 1 : 0)), \(sql.bind(attempt.phase == .poll ? 1 : 0)),
                        \(sql.bind(attempt.phase == .compensation ? 1 : 0)), \(now)
                    FROM s
                    \(Self.countAttempt)
                    RETURNING attempts, polls, compensation_attempts
                )
                """)
            columns += " a.attempts, a.polls, a.compensation_attempts,"
            from += " LEFT JOIN a ON true"
        } else {
            columns += " NULL::integer AS attempts, NULL::integer AS polls, NULL::integer AS compensation_attempts,"
        }
        if !commit.events.isEmpty {
            let values = commit.events.map { event in
                "(\(sql.bind(event.kind.rawValue))::text, \(sql.bind(event.stepIndex))::integer, \(sql.bind(event.detail))::text)"
            }
            sql.append(
                """
                , ev AS (
                    INSERT INTO saga_events (saga_id, at, kind, step_idx, detail)
                    SELECT s.id, \(now), v.kind, v.step_idx, v.detail FROM s, (VALUES \(values.joined(separator: ", "))) AS v(kind, step_idx, detail)
                )
                """)
        }
        switch commit.locks {
        case .keep: break
        case .release:
            // The statement sees the rows it deletes, hence "other than this saga" when deciding
            // whether a waiting saga is still blocked.
            sql.append(
                """
                , lk AS (DELETE FROM saga_lock_keys WHERE saga_id IN (SELECT id FROM s) RETURNING key)
                , woken AS (
                    UPDATE saga_runs w SET lock_blocked = false
                    WHERE w.lock_blocked AND w.id IN (
                        SELECT o.saga_id FROM saga_lock_keys o WHERE o.key IN (SELECT key FROM lk) AND o.saga_id NOT IN (SELECT id FROM s))
                      AND NOT EXISTS (
                        SELECT 1 FROM saga_lock_keys mine
                        JOIN saga_lock_keys other ON other.key = mine.key AND other.lock_seq < mine.lock_seq
                        WHERE mine.saga_id = w.id AND other.saga_id NOT IN (SELECT id FROM s))
                )
                """)
        case .reacquire(let keys):
            // Keys the saga no longer holds are taken again behind every current holder.
            sql.append(
                """
                , lk AS (
                    INSERT INTO saga_lock_keys (key, lock_seq, saga_id)
                    SELECT k, nextval('saga_lock_seq'), s.id FROM s, unnest(\(sql.bind(keys))::text[]) AS k
                    WHERE NOT EXISTS (SELECT 1 FROM saga_lock_keys h WHERE h.saga_id = s.id AND h.key = k)
                )
                """)
        }
        if let next = commit.claimNext {
            // The final commit of a saga also claims the next runnable one, in the same statement.
            sql.append(", ")
            appendClaim(next, to: &sql, gate: "s")
            sql.append("\n" + Self.claimSelect(next, &sql, from: from, columns: columns))
        } else {
            sql.append("\nSELECT\(columns.dropLast()) FROM \(from)")
        }
        return sql
    }

    static func errorBinds(_ change: SagaCommit.ErrorChange) -> (String, String?) {
        switch change {
        case .keep: return ("keep", nil)
        case .clear: return ("clear", nil)
        case .set(let text): return ("set", text)
        }
    }

    // MARK: Heartbeat and cancel

    package func heartbeat(sagaID: UUID, fencingToken: Int64, leaseUntil: Date, now: Date) async throws -> HeartbeatResult {
        let rows = try await execute(
            """
            UPDATE saga_runs SET run_at = \(leaseUntil), updated_at = \(now)
            WHERE id = \(sagaID) AND fencing_token = \(fencingToken) AND lease_owner IS NOT NULL
              AND status IN \(unescaped: SagaSQL.runnableStatuses)
            RETURNING cancel_requested
            """)
        guard let row = rows.first else { return .lost }
        counter.commit()
        return .held(cancelRequested: try row.decode(Bool.self))
    }

    package func requestCancel(sagaID: UUID, now: Date) async throws -> SagaRecord? {
        let rows = try await execute(
            """
            WITH c AS (
                UPDATE saga_runs SET cancel_requested = true, updated_at = \(now),
                    -- a parked saga is woken at once
                    run_at = CASE WHEN status = 'waiting' THEN \(now) ELSE run_at END
                WHERE id = \(sagaID) AND status IN \(unescaped: SagaSQL.runnableStatuses)
                RETURNING \(unescaped: Self.sagaColumns)
            ),
            ev AS (INSERT INTO saga_events (saga_id, at, kind) SELECT c.id, \(now), 'cancel_requested' FROM c)
            SELECT * FROM c
            """)
        counter.commit()
        return try rows.first.map(Self.decodeSaga)
    }
}
