import Foundation
import Logging
import SQLiteNIO
import SagaEngine

extension SQLiteSagaStore {
    private struct Fenced: Error {}

    public func migrate() async throws {
        try await db.transaction { c in
            try c.rows(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)")
            let applied = Set(try c.rows("SELECT version FROM schema_migrations").compactMap { $0.column("version")?.integer })
            let known = SQLiteMigrations.all.map(\.version).max() ?? 0
            if let newest = applied.max(), newest > known {
                throw StorageError(
                    .schemaTooNew,
                    "database schema version \(newest) is newer than this arcadia understands (\(known)); upgrade arcadia")
            }
            for migration in SQLiteMigrations.all where !applied.contains(migration.version) {
                for statement in migration.statements { try c.rows(statement) }
                try c.rows(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    [.integer(migration.version), .text(migration.name), .date(Date())])
                self.logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
        }
    }

    public func createSaga(_ saga: NewSaga) async throws -> (saga: SagaRecord, created: Bool) {
        try await db.transaction { c in
            if let key = saga.idempotencyKey,
                let existing = try c.rows("SELECT \(Self.sagaColumns) FROM saga_runs WHERE idempotency_key = ?1", [.text(key)]).first
            {
                return (try Self.decodeSaga(existing), false)
            }
            let claimed = saga.claimedBy != nil
            let inserted = try c.rows(
                """
                INSERT INTO saga_runs (id, kind, template, step_names, inputs, context, status, current_step,
                    deployment_id, tenant_id, triggered_by, idempotency_key, lock_keys, hold_on_failure, run_at,
                    lease_owner, fencing_token, created_at, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, '{}', ?14, 0, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?15, ?16, ?13, ?13)
                RETURNING \(Self.sagaColumns)
                """,
                [
                    .uuid(saga.id), .text(saga.kind.rawValue), .text(saga.template), try .json(saga.stepNames),
                    try .json(saga.inputs), .optionalText(saga.deploymentID), .optionalText(saga.tenantID),
                    .optionalText(saga.triggeredBy), .optionalText(saga.idempotencyKey), try .json(saga.lockKeys),
                    .integer(saga.holdOnFailure ? 1 : 0), .date(claimed ? saga.leaseUntil ?? saga.runAt : saga.runAt), .date(saga.now),
                    .text(claimed ? SagaStatus.running.rawValue : SagaStatus.pending.rawValue), .optionalText(saga.claimedBy),
                    .integer(claimed ? 1 : 0),
                ])
            guard let row = inserted.first else { throw StorageError(.query, "inserting the saga returned nothing") }
            try Self.acquireLocks(sagaID: saga.id, keys: saga.lockKeys, c)
            var events = [NewSagaEvent("saga_created", detail: "template \(saga.template), \(saga.stepNames.count) steps")]
            if let owner = saga.claimedBy, let first = saga.stepNames.first {
                _ = try Self.recordAttempt(
                    sagaID: saga.id, StepAttempt(index: 0, name: first, phase: .attempt), countAttempt: true, now: saga.now, c)
                events.append(NewSagaEvent("claimed", step: 0, detail: owner))
            }
            try Self.insertEvents(sagaID: saga.id, at: saga.now, events, c)
            return (try Self.decodeSaga(row), true)
        }
    }

    public func claim(_ request: ClaimRequest) async throws -> ClaimedSaga? {
        try await db.transaction(wrote: { $0 != nil }) { c in try Self.claimInTransaction(request, c) }
    }

    /// The claim, inside an open transaction (also used by a commit's `claimNext`).
    private static func claimInTransaction(_ request: ClaimRequest, _ c: SQLiteDatabase.Connection) throws -> ClaimedSaga? {
        var binds: [SQLiteData] = [.text(request.workerID), .date(request.leaseUntil), .date(request.now)]
        var filter = ""
        if let only = request.sagaID {
            binds.append(.uuid(only))
            filter += " AND r.id = ?\(binds.count)"
        }
        if let excluded = request.excluding {
            binds.append(.uuid(excluded))
            filter += " AND r.id <> ?\(binds.count)"
        }
        // Pick first (reading the wait kind the claim clears), then claim by rowid; the transaction
        // is exclusive, so nothing can slip in between.
        let picked = try c.rows(
            """
            SELECT r.seq, r.wait_kind FROM saga_runs r INDEXED BY saga_runs_runnable
            WHERE r.status IN ('pending', 'running', 'waiting', 'compensating') AND r.run_at <= ?3\(filter)
              -- lock keys: wait while an earlier saga holds any of ours
              AND (r.lock_keys = '[]' OR NOT EXISTS (
                  SELECT 1 FROM saga_lock_keys mine
                  JOIN saga_lock_keys other ON other.key = mine.key AND other.lock_seq < mine.lock_seq
                  WHERE mine.saga_id = r.id))
            ORDER BY r.run_at, r.seq
            LIMIT 1
            """, binds)
        guard let pick = picked.first, let seq = pick.column("seq")?.integer else { return nil }
        let priorWait = pick.column("wait_kind").flatMap { $0.isNull ? nil : $0.string }.flatMap(WaitKind.init(rawValue:))
        let claimed = try c.rows(
            """
            UPDATE saga_runs SET
                status = CASE WHEN status IN ('pending', 'waiting') AND cancel_requested = 0 THEN 'running' ELSE status END,
                lease_owner = ?1, run_at = ?2, fencing_token = fencing_token + 1, updated_at = ?3, wait_kind = NULL
            WHERE seq = ?4
            RETURNING \(Self.sagaColumns)
            """, [.text(request.workerID), .date(request.leaseUntil), .date(request.now), .integer(seq)])
        guard let row = claimed.first else { return nil }
        let saga = try Self.decodeSaga(row)
        var attempts = 0
        var polls = 0
        if saga.status == .running, !saga.cancelRequested, saga.currentStep < saga.stepNames.count {
            let phase: StepAttempt.Phase = priorWait == .poll ? .poll : .attempt
            (attempts, polls) = try Self.recordAttempt(
                sagaID: saga.id, StepAttempt(index: saga.currentStep, name: saga.stepNames[saga.currentStep], phase: phase),
                countAttempt: priorWait != .handoff, now: request.now, c)
        }
        try Self.insertEvents(sagaID: saga.id, at: request.now, [NewSagaEvent("claimed", step: saga.currentStep, detail: request.workerID)], c)
        return ClaimedSaga(saga: saga, attempts: attempts, polls: polls)
    }

    public func commit(_ commit: SagaCommit) async throws -> CommitResult {
        do {
            return try await db.transaction { c in
                let errorMode: String
                var errorText: SQLiteData = .null
                switch commit.error {
                case .keep: errorMode = "keep"
                case .clear: errorMode = "clear"
                case .set(let text):
                    errorMode = "set"
                    errorText = .text(text)
                }
                let updated = try c.rows(
                    """
                    UPDATE saga_runs SET
                        status = ?1, current_step = ?2, context = COALESCE(?3, context),
                        error = CASE ?4 WHEN 'keep' THEN error WHEN 'clear' THEN NULL ELSE ?5 END,
                        run_at = ?6, wait_kind = ?7,
                        lease_owner = CASE WHEN ?8 THEN NULL ELSE lease_owner END,
                        finished_at = ?9, cancel_requested = COALESCE(?10, cancel_requested),
                        fencing_token = fencing_token + ?11, updated_at = ?12
                    WHERE id = ?13 AND fencing_token = ?14
                    RETURNING cancel_requested
                    """,
                    [
                        .text(commit.status.rawValue), .integer(commit.currentStep),
                        try commit.context.map { try .json($0) } ?? .null, .text(errorMode), errorText,
                        .date(commit.runAt), .optionalText(commit.waitKind?.rawValue), .integer(commit.releaseLease ? 1 : 0),
                        commit.finished ? .date(commit.now) : .null,
                        commit.cancelRequested.map { .integer($0 ? 1 : 0) } ?? .null,
                        .integer(commit.bumpFencingToken ? 1 : 0), .date(commit.now), .uuid(commit.sagaID),
                        .integer(Int(commit.fencingToken)),
                    ])
                guard let row = updated.first else { throw Fenced() }
                for update in commit.stepUpdates {
                    try Self.applyStepUpdate(sagaID: commit.sagaID, update, now: commit.now, c)
                }
                var counters = (0, 0)
                if let attempt = commit.attempt {
                    counters = try Self.recordAttempt(sagaID: commit.sagaID, attempt, countAttempt: true, now: commit.now, c)
                }
                try Self.insertEvents(sagaID: commit.sagaID, at: commit.now, commit.events, c)
                switch commit.locks {
                case .keep: break
                case .release:
                    try c.rows("DELETE FROM saga_lock_keys WHERE saga_id = ?1", [.uuid(commit.sagaID)])
                case .reacquire(let keys):
                    try c.rows("DELETE FROM saga_lock_keys WHERE saga_id = ?1", [.uuid(commit.sagaID)])
                    try Self.acquireLocks(sagaID: commit.sagaID, keys: keys, c)
                }
                let next = try commit.claimNext.map { try Self.claimInTransaction($0, c) } ?? nil
                var result = CommitResult(
                    applied: true, cancelRequested: row.column("cancel_requested")?.integer == 1, attempts: counters.0,
                    polls: counters.1, next: next)
                if commit.claimNext != nil, next == nil {
                    result.nextRunAtKnown = true
                    result.nextRunAt = try Self.nextRunAt(c)
                }
                return result
            }
        } catch is Fenced {
            return .fenced
        }
    }

    public func heartbeat(sagaID: UUID, fencingToken: Int64, leaseUntil: Date, now: Date) async throws -> HeartbeatResult {
        let updated = try await db.transaction(wrote: { !$0.isEmpty }) { c in
            try c.rows(
                """
                UPDATE saga_runs SET run_at = ?1, updated_at = ?2
                WHERE id = ?3 AND fencing_token = ?4 AND lease_owner IS NOT NULL
                  AND status IN ('pending', 'running', 'waiting', 'compensating')
                RETURNING cancel_requested
                """, [.date(leaseUntil), .date(now), .uuid(sagaID), .integer(Int(fencingToken))])
        }
        guard let row = updated.first else { return .lost }
        return .held(cancelRequested: row.column("cancel_requested")?.integer == 1)
    }

    public func requestCancel(sagaID: UUID, now: Date) async throws -> SagaRecord? {
        try await db.transaction(wrote: { $0 != nil }) { c in
            let updated = try c.rows(
                """
                UPDATE saga_runs SET cancel_requested = 1, updated_at = ?1,
                    -- a parked saga is woken at once
                    run_at = CASE WHEN status = 'waiting' THEN ?1 ELSE run_at END
                WHERE id = ?2 AND status IN ('pending', 'running', 'waiting', 'compensating')
                RETURNING \(Self.sagaColumns)
                """, [.date(now), .uuid(sagaID)])
            guard let row = updated.first else { return nil }
            try Self.insertEvents(sagaID: sagaID, at: now, [NewSagaEvent("cancel_requested")], c)
            return try Self.decodeSaga(row)
        }
    }

    // MARK: Reads

    public func saga(id: UUID) async throws -> SagaRecord? {
        try await db.perform { c in
            try c.rows("SELECT \(Self.sagaColumns) FROM saga_runs WHERE id = ?1", [.uuid(id)]).first.map(Self.decodeSaga)
        }
    }

    public func sagas(ids: [UUID]) async throws -> [SagaRecord] {
        var result: [SagaRecord] = []
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let placeholders = (1...chunk.count).map { "?\($0)" }.joined(separator: ", ")
            let sql = "SELECT \(Self.sagaColumns) FROM saga_runs WHERE id IN (\(placeholders))"
            let binds: [SQLiteData] = chunk.map { SQLiteData.uuid($0) }
            let found: [SagaRecord] = try await db.perform { c in try c.rows(sql, binds).map(Self.decodeSaga) }
            result += found
        }
        return result
    }

    public func steps(sagaID: UUID) async throws -> [StepRecord] {
        try await db.perform { c in
            try c.rows("SELECT \(Self.stepColumns) FROM saga_step_results WHERE saga_id = ?1 ORDER BY step_idx", [.uuid(sagaID)])
                .map(Self.decodeStep)
        }
    }

    public func events(sagaID: UUID) async throws -> [SagaEvent] {
        try await db.perform { c in
            try c.rows("SELECT id, saga_id, at, kind, step_idx, detail FROM saga_events WHERE saga_id = ?1 ORDER BY id", [.uuid(sagaID)])
                .map { row in
                    SagaEvent(
                        id: Int64(row.column("id")?.integer ?? 0), sagaID: sagaID,
                        at: Date(timeIntervalSince1970: row.column("at")?.double ?? 0), kind: row.column("kind")?.string ?? "",
                        stepIndex: row.column("step_idx").flatMap { $0.isNull ? nil : $0.integer },
                        detail: row.column("detail").flatMap { $0.isNull ? nil : $0.string })
                }
        }
    }

    public func list(_ filter: SagaFilter) async throws -> [SagaRecord] {
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        func add(_ column: String, _ value: String?) {
            guard let value else { return }
            binds.append(.text(value))
            conditions.append("\(column) = ?\(binds.count)")
        }
        add("status", filter.status?.rawValue)
        add("template", filter.template)
        add("kind", filter.kind?.rawValue)
        add("deployment_id", filter.deploymentID)
        add("tenant_id", filter.tenantID)
        binds.append(.integer(max(1, filter.limit)))
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(Self.sagaColumns) FROM saga_runs \(whereClause) ORDER BY created_at DESC, seq DESC LIMIT ?\(binds.count)"
        let query = binds
        return try await db.perform { c in try c.rows(sql, query).map(Self.decodeSaga) }
    }

    public func countByStatus() async throws -> [SagaStatus: Int] {
        try await db.perform { c in
            var counts: [SagaStatus: Int] = [:]
            for row in try c.rows("SELECT status, COUNT(*) AS n FROM saga_runs GROUP BY status") {
                if let status = row.column("status")?.string.flatMap(SagaStatus.init(rawValue:)) {
                    counts[status] = row.column("n")?.integer ?? 0
                }
            }
            return counts
        }
    }

    public func nextRunAt() async throws -> Date? {
        try await db.perform { c in try Self.nextRunAt(c) }
    }

    private static func nextRunAt(_ c: SQLiteDatabase.Connection) throws -> Date? {
        let row = try c.rows(
            "SELECT MIN(run_at) AS next FROM saga_runs INDEXED BY saga_runs_runnable WHERE status IN ('pending', 'running', 'waiting', 'compensating')"
        ).first
        return row?.column("next")?.double.map(Date.init(timeIntervalSince1970:))
    }

    public func notifyWorkers() async throws {}
    public func notifyCancel(_ sagaID: UUID) async throws {}
    public func listen(_ handler: @escaping @Sendable (StoreNotification) -> Void) async throws {}

    // MARK: Pieces of transactions

    private static func applyStepUpdate(sagaID: UUID, _ update: StepUpdate, now: Date, _ c: SQLiteDatabase.Connection) throws {
        var errorMode = "keep"
        var errorText: SQLiteData = .null
        switch update.error {
        case .keep: break
        case .clear: errorMode = "clear"
        case .set(let text):
            errorMode = "set"
            errorText = .text(text)
        }
        try c.rows(
            """
            UPDATE saga_step_results SET
                status = ?1, output = COALESCE(?2, output),
                error = CASE ?3 WHEN 'keep' THEN error WHEN 'clear' THEN NULL ELSE ?4 END,
                finished_at = CASE WHEN ?5 THEN ?7 ELSE finished_at END,
                compensated_at = CASE WHEN ?6 THEN ?7 ELSE compensated_at END,
                attempts = CASE WHEN ?8 THEN 0 ELSE attempts END
            WHERE saga_id = ?9 AND step_idx = ?10
            """,
            [
                .text(update.status.rawValue), try update.output.map { try .json($0) } ?? .null, .text(errorMode), errorText,
                .integer(update.finished ? 1 : 0), .integer(update.compensated ? 1 : 0), .date(now),
                .integer(update.resetAttempts ? 1 : 0), .uuid(sagaID), .integer(update.index),
            ])
    }

    /// Inserts the step row or counts one more attempt (or poll, or compensation attempt).
    private static func recordAttempt(
        sagaID: UUID, _ attempt: StepAttempt, countAttempt: Bool, now: Date, _ c: SQLiteDatabase.Connection
    ) throws -> (Int, Int) {
        let status: StepStatus = attempt.phase == .compensation ? .compensating : .running
        let attempts = attempt.phase == .attempt && countAttempt ? 1 : 0
        let polls = attempt.phase == .poll ? 1 : 0
        let compensations = attempt.phase == .compensation ? 1 : 0
        let row = try c.rows(
            """
            INSERT INTO saga_step_results (saga_id, step_idx, step_name, status, attempts, polls, compensation_attempts, started_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            ON CONFLICT (saga_id, step_idx) DO UPDATE SET
                status = excluded.status,
                attempts = attempts + excluded.attempts,
                polls = polls + excluded.polls,
                compensation_attempts = compensation_attempts + excluded.compensation_attempts,
                started_at = COALESCE(started_at, excluded.started_at)
            RETURNING attempts, polls, compensation_attempts
            """,
            [
                .uuid(sagaID), .integer(attempt.index), .text(attempt.name), .text(status.rawValue), .integer(attempts),
                .integer(polls), .integer(compensations), .date(now),
            ]
        ).first
        if attempt.phase == .compensation { return (row?.column("compensation_attempts")?.integer ?? 0, row?.column("polls")?.integer ?? 0) }
        return (row?.column("attempts")?.integer ?? 0, row?.column("polls")?.integer ?? 0)
    }

    private static func insertEvents(sagaID: UUID, at: Date, _ events: [NewSagaEvent], _ c: SQLiteDatabase.Connection) throws {
        guard !events.isEmpty else { return }
        var binds: [SQLiteData] = [.uuid(sagaID), .date(at)]
        var values: [String] = []
        for event in events {
            binds.append(.text(event.kind))
            binds.append(event.stepIndex.map { .integer($0) } ?? .null)
            binds.append(.optionalText(event.detail))
            values.append("(?1, ?2, ?\(binds.count - 2), ?\(binds.count - 1), ?\(binds.count))")
        }
        try c.rows("INSERT INTO saga_events (saga_id, at, kind, step_idx, detail) VALUES \(values.joined(separator: ", "))", binds)
    }

    private static func acquireLocks(sagaID: UUID, keys: [String], _ c: SQLiteDatabase.Connection) throws {
        for key in keys {
            // Behind every saga already holding the key: the transaction is exclusive, so MAX is safe.
            try c.rows(
                """
                INSERT INTO saga_lock_keys (key, lock_seq, saga_id)
                VALUES (?1, (SELECT COALESCE(MAX(lock_seq), 0) + 1 FROM saga_lock_keys), ?2)
                """, [.text(key), .uuid(sagaID)])
        }
    }
}
