import Foundation
import Logging
import PostgresNIO
import SagaEngine

extension PostgresSagaStore {
    private static let runnable = "('pending', 'running', 'waiting', 'compensating')"

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

    public func migrate() async throws {
        let schema = configuration.schema
        try await transaction { connection in
            // Several workers may start at once: one migrates, the others wait and then see it done.
            try await self.execute("SELECT pg_advisory_xact_lock(7283110001)", on: connection)
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

    // MARK: Create

    public func createSaga(_ saga: NewSaga) async throws -> (saga: SagaRecord, created: Bool) {
        var sql = SQLBuilder()
        let id = sql.bind(saga.id)
        let now = sql.bind(saga.now)
        let claimed = saga.claimedBy != nil
        let status = sql.bind(claimed ? SagaStatus.running.rawValue : SagaStatus.pending.rawValue)
        let owner = sql.bind(saga.claimedBy)
        let runAt = sql.bind(claimed ? saga.leaseUntil ?? saga.runAt : saga.runAt)
        sql.append(
            """
            WITH ins AS (
                INSERT INTO saga_runs (id, kind, template, step_names, inputs, context, status, current_step,
                    deployment_id, tenant_id, triggered_by, idempotency_key, lock_keys, hold_on_failure, run_at,
                    lease_owner, fencing_token, created_at, updated_at)
                VALUES (\(id), \(sql.bind(saga.kind.rawValue)), \(sql.bind(saga.template)), \(sql.bind(saga.stepNames)),
                    \(sql.bind(try JSONValue.encodeToString(saga.inputs)))::jsonb, '{}'::jsonb, \(status), 0,
                    \(sql.bind(saga.deploymentID))::text, \(sql.bind(saga.tenantID))::text, \(sql.bind(saga.triggeredBy))::text,
                    \(sql.bind(saga.idempotencyKey))::text, \(sql.bind(saga.lockKeys))::text[], \(sql.bind(saga.holdOnFailure)),
                    \(runAt), \(owner)::text, \(sql.bind(claimed ? 1 : 0))::bigint, \(now), \(now))
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING \(Self.sagaColumns)
            ),
            ev AS (
                INSERT INTO saga_events (saga_id, at, kind, step_idx, detail)
                SELECT ins.id, \(now), 'saga_created', NULL, \(sql.bind("template \(saga.template), \(saga.stepNames.count) steps"))
                FROM ins
                UNION ALL
                SELECT ins.id, \(now), 'claimed', 0, ins.lease_owner FROM ins WHERE ins.lease_owner IS NOT NULL
            ),
            a AS (
                -- started and claimed in one commit: the first step's attempt is recorded now
                INSERT INTO saga_step_results (saga_id, step_idx, step_name, status, attempts, started_at)
                SELECT ins.id, 0, ins.step_names[1], 'running', 1, \(now)
                FROM ins WHERE ins.lease_owner IS NOT NULL AND cardinality(ins.step_names) > 0
            ),
            lk AS (
                -- lock_seq is drawn after the advisory locks below, so it orders sagas sharing a key
                INSERT INTO saga_lock_keys (key, lock_seq, saga_id)
                SELECT k, nextval('saga_lock_seq'), ins.id FROM ins, unnest(ins.lock_keys) AS k
            )
            SELECT * FROM ins
            """)
        let statement = sql
        let keys = saga.lockKeys
        let inserted: [PostgresRow]
        if keys.isEmpty {
            inserted = try await execute(statement, as: CreateShape.self)
            if !inserted.isEmpty { counter.commit() }
        } else {
            inserted = try await transaction { connection in
                try await self.lockKeysForOrdering(keys, on: connection)
                return try await self.execute(statement.query, on: connection)
            }
        }
        if let row = inserted.first { return (try Self.decodeSaga(row), true) }
        guard let key = saga.idempotencyKey,
            let existing = try await execute("SELECT \(unescaped: Self.sagaColumns) FROM saga_runs WHERE idempotency_key = \(key)").first
        else { throw StorageError(.query, "inserting the saga returned nothing") }
        return (try Self.decodeSaga(existing), false)
    }

    /// Serialises lock-key acquisition per key until commit, so lock_seq order is commit order.
    private func lockKeysForOrdering(_ keys: [String], on connection: PostgresConnection) async throws {
        try await execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(k, 7283)) FROM unnest(\(keys.sorted())::text[]) AS k ORDER BY k",
            on: connection)
    }

    // MARK: Claim

    public func claim(_ request: ClaimRequest) async throws -> ClaimedSaga? {
        let statement = claimStatement(request)
        let rows =
            request.sagaID == nil ? try await execute(statement, as: ClaimShape.self) : try await execute(statement.query)
        guard let row = rows.first else { return nil }
        counter.commit()
        return try decodeClaim(row)
    }

    private func decodeClaim(_ row: PostgresRow) throws -> ClaimedSaga {
        let r = row.makeRandomAccess()
        return ClaimedSaga(
            saga: try Self.decodeSaga(row), attempts: try r["step_attempts"].decode(Int?.self) ?? 0,
            polls: try r["step_polls"].decode(Int?.self) ?? 0)
    }

    private func claimStatement(_ request: ClaimRequest) -> SQLBuilder {
        var sql = SQLBuilder()
        sql.append("WITH ")
        appendClaim(request, to: &sql, gate: nil)
        sql.append("\nSELECT c.*, ca.attempts AS step_attempts, ca.polls AS step_polls FROM c LEFT JOIN ca ON true")
        return sql
    }

    /// The claim as three CTEs (`c`, `ca`, `cev`); with a `gate` CTE, it only acts if that CTE has a row.
    private func appendClaim(_ request: ClaimRequest, to sql: inout SQLBuilder, gate: String?) {
        let worker = sql.bind(request.workerID)
        let leaseUntil = sql.bind(request.leaseUntil)
        let now = sql.bind(request.now)
        var filter = ""
        if let only = request.sagaID { filter += " AND q.id = \(sql.bind(only))" }
        if let excluded = request.excluding { filter += " AND q.id <> \(sql.bind(excluded))" }
        if let gate { filter += " AND EXISTS (SELECT 1 FROM \(gate))" }
        sql.append(
            """
            c AS (
                -- wait_kind is cleared by the claim; its prior value says whether this is a poll
                UPDATE saga_runs r SET
                    status = CASE WHEN r.status IN ('pending', 'waiting') AND NOT r.cancel_requested THEN 'running' ELSE r.status END,
                    lease_owner = \(worker), run_at = \(leaseUntil), fencing_token = r.fencing_token + 1, updated_at = \(now),
                    wait_kind = NULL
                FROM (
                    SELECT q.id AS pick_id, q.wait_kind AS prior_wait FROM saga_runs q
                    WHERE q.status IN \(Self.runnable) AND q.run_at <= \(now)\(filter)
                      -- lock keys: wait while an earlier saga holds any of ours
                      AND (q.lock_keys = '{}' OR NOT EXISTS (
                          SELECT 1 FROM saga_lock_keys mine
                          JOIN saga_lock_keys other ON other.key = mine.key AND other.lock_seq < mine.lock_seq
                          WHERE mine.saga_id = q.id))
                    ORDER BY q.run_at, q.seq
                    FOR UPDATE SKIP LOCKED
                    LIMIT 1) pick
                WHERE r.id = pick.pick_id
                RETURNING \(Self.sagaColumns), pick.prior_wait
            ),
            ca AS (
                -- record the attempt of the step about to run (a poll after a durable wait is not an attempt)
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
                RETURNING attempts, polls
            ),
            cev AS (
                INSERT INTO saga_events (saga_id, at, kind, step_idx, detail)
                SELECT c.id, \(now), 'claimed', c.current_step, \(worker) FROM c
            )
            """)
    }

    // MARK: Commit

    public func commit(_ commit: SagaCommit) async throws -> CommitResult {
        if configuration.batchConcurrency > 0, Self.isBatchable(commit) {
            return try await batcher.commit(commit, write: writeBatch)
        }
        return try await commitAlone(commit)
    }

    /// One commit as its own statement (and transaction).
    func commitAlone(_ commit: SagaCommit) async throws -> CommitResult {
        let statement = try commitStatement(commit)
        let result: CommitResult
        if case .reacquire(let keys) = commit.locks, !keys.isEmpty {
            // New lock sequence numbers must be drawn under the keys' advisory locks.
            result = try await transaction { connection in
                try await self.lockKeysForOrdering(keys, on: connection)
                guard let row = try await self.execute(statement.query, on: connection).first else { return .fenced }
                return try self.decodeCommit(row, commit)
            }
        } else {
            let rows: [PostgresRow]
            switch (commit.attempt, commit.claimNext, commit.stepUpdates.count, commit.events.count, commit.locks) {
            case (.some, nil, 1, 2, .keep): rows = try await execute(statement, as: AdvanceShape.self)
            case (nil, .some, 1, 2, .release): rows = try await execute(statement, as: FinishShape.self)
            default: rows = try await execute(statement.query)
            }
            guard let row = rows.first else { return .fenced }
            result = try decodeCommit(row, commit)
            counter.commit()
        }
        if result.applied, commit.wakeWorkers { try await notifyWorkers() }
        return result
    }

    private func decodeCommit(_ row: PostgresRow, _ commit: SagaCommit) throws -> CommitResult {
        let r = row.makeRandomAccess()
        let attempts = try r[commit.attempt?.phase == .compensation ? "compensation_attempts" : "attempts"].decode(Int?.self)
        var result = CommitResult(
            applied: true, cancelRequested: try r["commit_cancel_requested"].decode(Bool.self), attempts: attempts ?? 0,
            polls: try r["polls"].decode(Int?.self) ?? 0)
        if commit.claimNext != nil {
            if try r["id"].decode(UUID?.self) != nil { result.next = try decodeClaim(row) }
            result.nextRunAtKnown = true
            result.nextRunAt = try r["next_run_at"].decode(Date?.self)
        }
        return result
    }

    /// One statement: the fenced saga update, then step updates, the next attempt, events and lock
    /// changes as CTEs that only act when the fenced update matched a row.
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
                        attempts = CASE WHEN \(sql.bind(update.resetAttempts)) THEN 0 ELSE t.attempts END
                    FROM s WHERE t.saga_id = s.id AND t.step_idx = \(sql.bind(update.index))
                    RETURNING 1
                )
                """)
        }
        var returning = "NULL::integer AS attempts, NULL::integer AS polls, NULL::integer AS compensation_attempts"
        var join = ""
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
            returning = "a.attempts, a.polls, a.compensation_attempts"
            join = " LEFT JOIN a ON true"
        }
        if !commit.events.isEmpty {
            let values = commit.events.map { event in
                "(\(sql.bind(event.kind))::text, \(sql.bind(event.stepIndex))::integer, \(sql.bind(event.detail))::text)"
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
            sql.append(", lk AS (DELETE FROM saga_lock_keys WHERE saga_id IN (SELECT id FROM s))")
        case .reacquire(let keys):
            // Old rows go and new ones are drawn behind every current holder (advisory locks held).
            sql.append(
                """
                , lk AS (DELETE FROM saga_lock_keys WHERE saga_id IN (SELECT id FROM s))
                , lk2 AS (
                    INSERT INTO saga_lock_keys (key, lock_seq, saga_id)
                    SELECT k, nextval('saga_lock_seq'), s.id FROM s, unnest(\(sql.bind(keys))::text[]) AS k
                )
                """)
        }
        var claimColumns = ""
        if let next = commit.claimNext {
            // The final commit of a saga also claims the next runnable one, in the same statement.
            sql.append(", ")
            appendClaim(next, to: &sql, gate: "s")
            // When nothing was claimed, the worker waits until the earliest run_at of the others.
            claimColumns =
                ", c.*, ca.attempts AS step_attempts, ca.polls AS step_polls, (SELECT min(q.run_at) FROM saga_runs q "
                + "WHERE q.status IN \(Self.runnable) AND q.id <> \(sql.bind(commit.sagaID))) AS next_run_at"
            join += " LEFT JOIN c ON true LEFT JOIN ca ON true"
        }
        sql.append("\nSELECT s.cancel_requested AS commit_cancel_requested, \(returning)\(claimColumns) FROM s\(join)")
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

    public func heartbeat(sagaID: UUID, fencingToken: Int64, leaseUntil: Date, now: Date) async throws -> HeartbeatResult {
        let rows = try await execute(
            """
            UPDATE saga_runs SET run_at = \(leaseUntil), updated_at = \(now)
            WHERE id = \(sagaID) AND fencing_token = \(fencingToken) AND lease_owner IS NOT NULL
              AND status IN ('pending', 'running', 'waiting', 'compensating')
            RETURNING cancel_requested
            """)
        guard let row = rows.first else { return .lost }
        counter.commit()
        return .held(cancelRequested: try row.decode(Bool.self))
    }

    public func requestCancel(sagaID: UUID, now: Date) async throws -> SagaRecord? {
        let rows = try await execute(
            """
            WITH c AS (
                UPDATE saga_runs SET cancel_requested = true, updated_at = \(now),
                    -- a parked saga is woken at once
                    run_at = CASE WHEN status = 'waiting' THEN \(now) ELSE run_at END
                WHERE id = \(sagaID) AND status IN ('pending', 'running', 'waiting', 'compensating')
                RETURNING \(unescaped: Self.sagaColumns)
            ),
            ev AS (INSERT INTO saga_events (saga_id, at, kind) SELECT c.id, \(now), 'cancel_requested' FROM c)
            SELECT * FROM c
            """)
        counter.commit()
        return try rows.first.map(Self.decodeSaga)
    }

    // MARK: Reads

    public func saga(id: UUID) async throws -> SagaRecord? {
        try await execute("SELECT \(unescaped: Self.sagaColumns) FROM saga_runs WHERE id = \(id)").first.map(Self.decodeSaga)
    }

    public func sagas(ids: [UUID]) async throws -> [SagaRecord] {
        guard !ids.isEmpty else { return [] }
        return try await execute("SELECT \(unescaped: Self.sagaColumns) FROM saga_runs WHERE id = ANY(\(ids))").map(Self.decodeSaga)
    }

    public func steps(sagaID: UUID) async throws -> [StepRecord] {
        try await execute("SELECT \(unescaped: Self.stepColumns) FROM saga_step_results WHERE saga_id = \(sagaID) ORDER BY step_idx")
            .map(Self.decodeStep)
    }

    public func events(sagaID: UUID) async throws -> [SagaEvent] {
        try await execute("SELECT id, saga_id, at, kind, step_idx, detail FROM saga_events WHERE saga_id = \(sagaID) ORDER BY id")
            .map { row in
                let (id, saga, at, kind, step, detail) = try row.decode((Int64, UUID, Date, String, Int?, String?).self)
                return SagaEvent(id: id, sagaID: saga, at: at, kind: kind, stepIndex: step, detail: detail)
            }
    }

    public func list(_ filter: SagaFilter) async throws -> [SagaRecord] {
        var sql = SQLBuilder()
        var conditions: [String] = []
        if let status = filter.status { conditions.append("status = \(sql.bind(status.rawValue))") }
        if let template = filter.template { conditions.append("template = \(sql.bind(template))") }
        if let kind = filter.kind { conditions.append("kind = \(sql.bind(kind.rawValue))") }
        if let deployment = filter.deploymentID { conditions.append("deployment_id = \(sql.bind(deployment))") }
        if let tenant = filter.tenantID { conditions.append("tenant_id = \(sql.bind(tenant))") }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        sql.append(
            "SELECT \(Self.sagaColumns) FROM saga_runs \(whereClause) ORDER BY created_at DESC, seq DESC LIMIT \(sql.bind(max(1, filter.limit)))"
        )
        return try await execute(sql.query).map(Self.decodeSaga)
    }

    public func countByStatus() async throws -> [SagaStatus: Int] {
        var counts: [SagaStatus: Int] = [:]
        for row in try await execute("SELECT status, count(*)::bigint FROM saga_runs GROUP BY status") {
            let (status, count) = try row.decode((String, Int64).self)
            if let status = SagaStatus(rawValue: status) { counts[status] = Int(count) }
        }
        return counts
    }

    public func nextRunAt() async throws -> Date? {
        try await execute("SELECT min(run_at) FROM saga_runs WHERE status IN \(unescaped: Self.runnable)").first?.decode(Date?.self)
    }

    // MARK: Notifications

    public func notifyWorkers() async throws {
        // Sent after the writing transaction committed, as its own statement: a NOTIFY inside the
        // writing transaction would hold PostgreSQL's notify lock across that commit's fsync.
        try await execute("SELECT pg_notify(\(configuration.channel), 'w')")
    }

    public func notifyCancel(_ sagaID: UUID) async throws {
        try await execute("SELECT pg_notify(\(configuration.channel), \("c:" + sagaID.uuidString.lowercased()))")
    }

    public func listen(_ handler: @escaping @Sendable (StoreNotification) -> Void) async throws {
        let channel = configuration.channel
        do {
            try await client.withConnection { connection in
                try await connection.listen(on: channel) { notifications in
                    // Anything may have happened while not listening.
                    handler(.workAvailable)
                    for try await notification in notifications {
                        if notification.payload.hasPrefix("c:"), let id = UUID(uuidString: String(notification.payload.dropFirst(2))) {
                            handler(.cancelRequested(id))
                        } else {
                            handler(.workAvailable)
                        }
                    }
                }
            }
        } catch {
            if Task.isCancelled { return }
            throw mapError(error)
        }
    }
}
