import Foundation
import Logging
import SQLiteNIO
import SagaEngine

extension SQLiteSagaStore {
    private struct Fenced: Error {}

    package func migrate() async throws {
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

    package func createSaga(_ saga: NewSaga) async throws -> CreateResult {
        try await db.transaction { c in
            if let key = saga.idempotencyKey,
                let existing = try c.rows("SELECT \(Self.sagaColumns) FROM saga_runs WHERE idempotency_key = ?1", [.text(key)]).first
            {
                return CreateResult(saga: try Self.decodeSaga(existing), created: false)
            }
            var owner: String?
            var leaseUntil: Date?
            if case .worker(let worker, let until) = saga.assignment {
                owner = worker
                leaseUntil = until
            }
            // The transaction is exclusive: any holder of one of the keys now is an earlier saga.
            let blocked = try Self.anyHolder(of: saga.lockKeys, c)
            let inserted = try c.rows(
                """
                INSERT INTO saga_runs (id, kind, template, step_names, inputs, context, status, current_step,
                    deployment_id, tenant_id, triggered_by, idempotency_key, lock_keys, hold_on_failure, run_at,
                    lease_owner, fencing_token, created_at, updated_at, lock_blocked)
                VALUES (?1, ?2, ?3, ?4, ?5, '{}', ?14, 0, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?15, ?16, ?13, ?13, ?17)
                RETURNING \(Self.sagaColumns)
                """,
                [
                    .uuid(saga.id), .text(saga.kind.rawValue), .text(saga.template), try .json(saga.stepNames),
                    try .json(saga.inputs), .optionalText(saga.deploymentID), .optionalText(saga.tenantID),
                    .optionalText(saga.triggeredBy), .optionalText(saga.idempotencyKey), try .json(saga.lockKeys),
                    .integer(saga.holdOnFailure ? 1 : 0), .date(leaseUntil ?? saga.runAt), .date(saga.now),
                    .text(owner != nil ? SagaStatus.running.rawValue : SagaStatus.pending.rawValue), .optionalText(owner),
                    .integer(owner != nil ? 1 : 0), .integer(blocked ? 1 : 0),
                ])
            guard let row = inserted.first else { throw StorageError(.query, "inserting the saga returned nothing") }
            try Self.acquireLocks(sagaID: saga.id, keys: saga.lockKeys, c)
            var events = [NewSagaEvent(.sagaCreated, detail: "template \(saga.template), \(saga.stepNames.count) steps")]
            if let owner, let first = saga.stepNames.first {
                _ = try Self.recordAttempt(
                    sagaID: saga.id, StepAttempt(index: 0, name: first, phase: .attempt), countAttempt: true, now: saga.now, c)
                events.append(NewSagaEvent(.claimed, step: 0, detail: owner))
            }
            if blocked { events.append(NewSagaEvent(.lockWaiting, step: 0, detail: "an earlier saga holds one of its lock keys")) }
            try Self.insertEvents(sagaID: saga.id, at: saga.now, events, c)
            return CreateResult(saga: try Self.decodeSaga(row), created: true)
        }
    }

    package func claim(_ request: ClaimRequest) async throws -> ClaimResult {
        let result = try await db.transaction(wrote: { !$0.claimed.isEmpty }) { c in try Self.claimInTransaction(request, c) }
        counter.claim(claimed: result.claimed.count)
        return result
    }

    /// The claim, inside an open transaction (also used by a commit's `claimNext`).
    private static func claimInTransaction(_ request: ClaimRequest, _ c: SQLiteDatabase.Connection) throws -> ClaimResult {
        var binds: [SQLiteData] = [.date(request.now), .integer(request.limit)]
        var filter = ""
        if let only = request.sagaID {
            binds.append(.uuid(only))
            filter += " AND r.id = ?\(binds.count)"
        }
        if let excluded = request.excluding {
            binds.append(.uuid(excluded))
            filter += " AND r.id <> ?\(binds.count)"
        }
        // Pick first (reading the wait kind and lease owner the claim replaces), then claim by
        // rowid; the transaction is exclusive, so nothing can slip in between.
        var picked = try c.rows(
            """
            SELECT r.seq, r.wait_kind, r.lease_owner FROM saga_runs r INDEXED BY saga_runs_due
            WHERE \(SagaSQL.due("r")) AND r.run_at <= ?1\(filter)
              -- a guard: blocked sagas are marked lock_blocked and are not in this index at all
              AND (r.lock_keys = '[]' OR NOT EXISTS (
                  SELECT 1 FROM saga_lock_keys mine
                  JOIN saga_lock_keys other ON other.key = mine.key AND other.lock_seq < mine.lock_seq
                  WHERE mine.saga_id = r.id))
            ORDER BY r.run_at, r.seq
            LIMIT ?2
            """, binds)
        if request.includeExpiredLeases, picked.count < request.limit {
            // Held sagas whose lease ran out (their worker died): only on the periodic look.
            picked += try c.rows(
                """
                SELECT r.seq, r.wait_kind, r.lease_owner FROM saga_runs r INDEXED BY saga_runs_leased
                WHERE \(SagaSQL.leased("r")) AND r.run_at <= ?1\(filter)
                ORDER BY r.run_at
                LIMIT ?2
                """, [binds[0], .integer(request.limit - picked.count)] + binds.dropFirst(2))
        }
        var claimed: [ClaimedSaga] = []
        for pick in picked {
            guard let seq = pick.column("seq")?.integer else { continue }
            let priorWait = pick.column("wait_kind").flatMap { $0.isNull ? nil : $0.string }.flatMap(WaitKind.init(rawValue:))
            let priorOwner = pick.column("lease_owner").flatMap { $0.isNull ? nil : $0.string }
            let updated = try c.rows(
                """
                UPDATE saga_runs SET
                    status = CASE WHEN status IN ('pending', 'waiting') AND cancel_requested = 0 THEN 'running' ELSE status END,
                    lease_owner = ?1, run_at = ?2, fencing_token = fencing_token + 1, updated_at = ?3, wait_kind = NULL
                WHERE seq = ?4
                RETURNING \(Self.sagaColumns)
                """, [.text(request.workerID), .date(request.leaseUntil), .date(request.now), .integer(seq)])
            guard let row = updated.first else { continue }
            let saga = try Self.decodeSaga(row)
            var attempts = 0
            var polls = 0
            if saga.status == .running, !saga.cancelRequested, saga.currentStep < saga.stepNames.count {
                let phase: StepAttempt.Phase = priorWait == .poll ? .poll : .attempt
                (attempts, polls) = try Self.recordAttempt(
                    sagaID: saga.id, StepAttempt(index: saga.currentStep, name: saga.stepNames[saga.currentStep], phase: phase),
                    countAttempt: priorWait != .handoff, now: request.now, c)
            }
            let event =
                priorOwner.map { NewSagaEvent(.reclaimed, step: saga.currentStep, detail: "\(request.workerID) (the lease of \($0) ran out)") }
                ?? NewSagaEvent(.claimed, step: saga.currentStep, detail: request.workerID)
            try Self.insertEvents(sagaID: saga.id, at: request.now, [event], c)
            claimed.append(ClaimedSaga(saga: saga, attempts: attempts, polls: polls, reclaimedFrom: priorOwner))
        }
        // The sagas just claimed hold leases now, so they drop out of the due time by themselves.
        var dueBinds: [SQLiteData] = []
        var dueFilter = ""
        if let only = request.sagaID {
            dueBinds.append(.uuid(only))
            dueFilter += " AND id = ?\(dueBinds.count)"
        }
        if let excluded = request.excluding {
            dueBinds.append(.uuid(excluded))
            dueFilter += " AND id <> ?\(dueBinds.count)"
        }
        let next = try c.rows(
            "SELECT MIN(run_at) AS next FROM saga_runs INDEXED BY saga_runs_due WHERE \(SagaSQL.duePredicate)\(dueFilter)",
            dueBinds
        ).first?.column("next")?.double.map(Date.init(timeIntervalSince1970:))
        return ClaimResult(claimed: claimed, nextDue: next)
    }

    package func commit(_ commit: SagaCommit) async throws -> CommitResult {
        let result: CommitResult
        do {
            result = try await db.transaction { c in
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
                    WHERE id = ?13 AND fencing_token = ?14 AND (lease_owner IS NOT NULL OR ?11 = 1)
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
                case .release: try Self.releaseLocks(sagaID: commit.sagaID, c)
                case .reacquire(let keys): try Self.reacquireLocks(sagaID: commit.sagaID, keys: keys, c)
                }
                let claim = try commit.claimNext.map { try Self.claimInTransaction($0, c) }
                return CommitResult(
                    applied: true, cancelRequested: row.column("cancel_requested")?.integer == 1, attempts: counters.0,
                    polls: counters.1, claim: claim)
            }
        } catch is Fenced {
            return .fenced
        }
        return result
    }

    package func heartbeat(sagaID: UUID, fencingToken: Int64, leaseUntil: Date, now: Date) async throws -> HeartbeatResult {
        let updated = try await db.transaction(wrote: { !$0.isEmpty }) { c in
            try c.rows(
                """
                UPDATE saga_runs SET run_at = ?1, updated_at = ?2
                WHERE id = ?3 AND fencing_token = ?4 AND lease_owner IS NOT NULL
                  AND status IN \(SagaSQL.runnableStatuses)
                RETURNING cancel_requested
                """, [.date(leaseUntil), .date(now), .uuid(sagaID), .integer(Int(fencingToken))])
        }
        guard let row = updated.first else { return .lost }
        return .held(cancelRequested: row.column("cancel_requested")?.integer == 1)
    }

    package func requestCancel(sagaID: UUID, now: Date) async throws -> SagaRecord? {
        try await db.transaction(wrote: { $0 != nil }) { c in
            let updated = try c.rows(
                """
                UPDATE saga_runs SET cancel_requested = 1, updated_at = ?1,
                    -- a parked saga is woken at once
                    run_at = CASE WHEN status = 'waiting' THEN ?1 ELSE run_at END
                WHERE id = ?2 AND status IN \(SagaSQL.runnableStatuses)
                RETURNING \(Self.sagaColumns)
                """, [.date(now), .uuid(sagaID)])
            guard let row = updated.first else { return nil }
            try Self.insertEvents(sagaID: sagaID, at: now, [NewSagaEvent(.cancelRequested)], c)
            return try Self.decodeSaga(row)
        }
    }

    // MARK: Reads

    package func saga(id: UUID) async throws -> SagaRecord? {
        try await db.perform { c in
            try c.rows("SELECT \(Self.sagaColumns) FROM saga_runs WHERE id = ?1", [.uuid(id)]).first.map(Self.decodeSaga)
        }
    }

    package func sagas(ids: [UUID]) async throws -> [SagaRecord] {
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

    package func steps(sagaID: UUID) async throws -> [StepRecord] {
        try await db.perform { c in
            try c.rows("SELECT \(Self.stepColumns) FROM saga_step_results WHERE saga_id = ?1 ORDER BY step_idx", [.uuid(sagaID)])
                .map(Self.decodeStep)
        }
    }

    package func events(sagaID: UUID) async throws -> [SagaEvent] {
        try await db.perform { c in
            try c.rows("SELECT id, saga_id, at, kind, step_idx, detail FROM saga_events WHERE saga_id = ?1 ORDER BY id", [.uuid(sagaID)])
                .map { row in
                    let kind = row.column("kind")?.string ?? ""
                    guard let eventKind = SagaEventKind(rawValue: kind) else { throw Self.corrupt("unknown saga event kind '\(kind)'") }
                    return SagaEvent(
                        id: Int64(row.column("id")?.integer ?? 0), sagaID: sagaID,
                        at: Date(timeIntervalSince1970: row.column("at")?.double ?? 0), kind: eventKind,
                        stepIndex: row.column("step_idx").flatMap { $0.isNull ? nil : $0.integer },
                        detail: row.column("detail").flatMap { $0.isNull ? nil : $0.string })
                }
        }
    }

    package func lockBlockers(sagaID: UUID) async throws -> [LockBlocker] {
        try await db.perform { c in
            try c.rows(
                """
                SELECT mine.key AS key, r.id AS id, r.template AS template, r.status AS status
                FROM saga_lock_keys mine
                JOIN saga_lock_keys other ON other.key = mine.key AND other.lock_seq < mine.lock_seq
                JOIN saga_runs r ON r.id = other.saga_id
                WHERE mine.saga_id = ?1
                ORDER BY mine.key, other.lock_seq
                """, [.uuid(sagaID)]
            ).map { row in
                guard let key = row.column("key")?.string, let id = row.column("id")?.string.flatMap(UUID.init(uuidString:)),
                    let template = row.column("template")?.string,
                    let status = row.column("status")?.string.flatMap(SagaStatus.init(rawValue:))
                else { throw Self.corrupt("saga_lock_keys row is incomplete") }
                return LockBlocker(key: key, sagaID: id, template: template, status: status)
            }
        }
    }

    package func list(_ filter: SagaFilter) async throws -> [SagaRecord] {
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
        if let after = filter.after {
            binds.append(.uuid(after))
            conditions.append("(created_at, seq) < (SELECT created_at, seq FROM saga_runs WHERE id = ?\(binds.count))")
        }
        binds.append(.integer(max(1, filter.limit)))
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(Self.sagaColumns) FROM saga_runs \(whereClause) ORDER BY created_at DESC, seq DESC LIMIT ?\(binds.count)"
        let query = binds
        return try await db.perform { c in try c.rows(sql, query).map(Self.decodeSaga) }
    }

    package func countByStatus() async throws -> [SagaStatus: Int] {
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

    package func countDue(now: Date) async throws -> Int {
        try await db.perform { c in
            try c.rows(
                "SELECT COUNT(*) AS n FROM saga_runs INDEXED BY saga_runs_due WHERE \(SagaSQL.duePredicate) AND run_at <= ?1",
                [.date(now)]
            ).first?.column("n")?.integer ?? 0
        }
    }

    // MARK: Workers and notifications

    /// SQLite has no notifications: workers in other processes find work by polling.
    package var deliversAcrossProcesses: Bool { false }
    package func registerWorker(id: String, slots: Int, accepting: Bool) async throws {}
    package func deregisterWorker(id: String) async throws {}

    package func sagasAssigned(to workerID: String, excluding: Set<UUID>) async throws -> [ClaimedSaga] {
        try await db.perform { c in
            try c.rows(
                "SELECT \(Self.sagaColumns) FROM saga_runs WHERE lease_owner = ?1 AND status IN \(SagaSQL.runnableStatuses)", [.text(workerID)]
            ).map(Self.decodeSaga).filter { !excluding.contains($0.id) }.map { saga in
                let step = try c.rows(
                    "SELECT attempts, polls, compensation_attempts FROM saga_step_results WHERE saga_id = ?1 AND step_idx = ?2",
                    [.uuid(saga.id), .integer(saga.currentStep)]
                ).first
                let attempts = step?.column(saga.status == .compensating ? "compensation_attempts" : "attempts")?.integer ?? 0
                return ClaimedSaga(saga: saga, attempts: attempts, polls: step?.column("polls")?.integer ?? 0)
            }
        }
    }

    package func notify(_ notifications: [StoreNotification]) async throws {}

    package func listen(
        _ channels: [NotificationChannel], connected: @escaping @Sendable () -> Void,
        _ handler: @escaping @Sendable (StoreNotification) -> Void
    ) async throws {}

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
                attempts = CASE WHEN ?8 THEN 0 ELSE attempts END,
                compensation_attempts = CASE WHEN ?11 THEN 0 ELSE compensation_attempts END
            WHERE saga_id = ?9 AND step_idx = ?10
            """,
            [
                .text(update.status.rawValue), try update.output.map { try .json($0) } ?? .null, .text(errorMode), errorText,
                .integer(update.finished ? 1 : 0), .integer(update.compensated ? 1 : 0), .date(now),
                .integer(update.resetAttempts ? 1 : 0), .uuid(sagaID), .integer(update.index),
                .integer(update.resetCompensationAttempts ? 1 : 0),
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
            binds.append(.text(event.kind.rawValue))
            binds.append(event.stepIndex.map { .integer($0) } ?? .null)
            binds.append(.optionalText(event.detail))
            values.append("(?1, ?2, ?\(binds.count - 2), ?\(binds.count - 1), ?\(binds.count))")
        }
        try c.rows("INSERT INTO saga_events (saga_id, at, kind, step_idx, detail) VALUES \(values.joined(separator: ", "))", binds)
    }

    /// Whether any saga holds one of `keys`.
    private static func anyHolder(of keys: [String], _ c: SQLiteDatabase.Connection) throws -> Bool {
        guard !keys.isEmpty else { return false }
        let placeholders = (1...keys.count).map { "?\($0)" }.joined(separator: ", ")
        return try c.rows("SELECT 1 FROM saga_lock_keys WHERE key IN (\(placeholders)) LIMIT 1", keys.map { .text($0) }).first != nil
    }

    /// Deletes the saga's lock keys and unblocks the sagas queued behind them that no other key blocks.
    private static func releaseLocks(sagaID: UUID, _ c: SQLiteDatabase.Connection) throws {
        let keys = try c.rows("DELETE FROM saga_lock_keys WHERE saga_id = ?1 RETURNING key", [.uuid(sagaID)]).compactMap {
            $0.column("key")?.string
        }
        guard !keys.isEmpty else { return }
        let placeholders = (1...keys.count).map { "?\($0)" }.joined(separator: ", ")
        try c.rows(
            """
            UPDATE saga_runs SET lock_blocked = 0
            WHERE lock_blocked = 1 AND id IN (SELECT saga_id FROM saga_lock_keys WHERE key IN (\(placeholders)))
              AND NOT EXISTS (
                SELECT 1 FROM saga_lock_keys mine
                JOIN saga_lock_keys other ON other.key = mine.key AND other.lock_seq < mine.lock_seq
                WHERE mine.saga_id = saga_runs.id)
            """, keys.map { .text($0) })
    }

    /// Takes again the keys the saga no longer holds, behind their holders, and says whether it is blocked.
    private static func reacquireLocks(sagaID: UUID, keys: [String], _ c: SQLiteDatabase.Connection) throws {
        let held = Set(try c.rows("SELECT key FROM saga_lock_keys WHERE saga_id = ?1", [.uuid(sagaID)]).compactMap { $0.column("key")?.string })
        try acquireLocks(sagaID: sagaID, keys: keys.filter { !held.contains($0) }, c)
        try c.rows(
            """
            UPDATE saga_runs SET lock_blocked = EXISTS (
                SELECT 1 FROM saga_lock_keys mine
                JOIN saga_lock_keys other ON other.key = mine.key AND other.lock_seq < mine.lock_seq
                WHERE mine.saga_id = ?1)
            WHERE id = ?1
            """, [.uuid(sagaID)])
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
