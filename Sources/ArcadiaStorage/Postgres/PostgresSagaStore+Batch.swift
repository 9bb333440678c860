import Foundation
import PostgresNIO
import SagaEngine

/// Many sagas' commits as one statement: every per-saga value travels in parallel arrays, so the
/// text is the same for any batch and runs prepared. Each saga's changes are fenced on its own
/// token, exactly as in the single-commit statement; a fenced saga's row simply does not match.
extension PostgresSagaStore {
    /// Whether `commit` can travel in a batch: it keeps its lock keys and claims nothing.
    static func isBatchable(_ commit: SagaCommit) -> Bool {
        commit.locks == .keep && commit.claimNext == nil
    }

    /// Writes `commits` (distinct sagas) in one statement. When PostgreSQL rejects the statement
    /// (nothing was written), each commit is retried on its own so that one bad commit cannot fail
    /// the others; when the outcome is unknown (the connection broke), every commit gets the error.
    func writeBatch(_ commits: [SagaCommit]) async -> [Result<CommitResult, any Error>] {
        // One commit alone runs its own, simpler statement (cheaper to plan than the array form).
        guard commits.count > 1, Set(commits.map(\.sagaID)).count == commits.count else { return await writeEachAlone(commits) }
        let phases = Dictionary(commits.map { ($0.sagaID, $0.attempt?.phase) }, uniquingKeysWith: { first, _ in first })
        let applied: [UUID: CommitResult]
        do {
            let rows = try await executeUnmapped(try batchStatement(commits), as: BatchShape.self)
            counter.commit()
            var results: [UUID: CommitResult] = [:]
            for row in rows {
                let (id, cancel, attempts, polls, compensations) = try row.decode((UUID, Bool, Int?, Int?, Int?).self)
                let counted = phases[id] == .compensation ? compensations : attempts
                results[id] = CommitResult(applied: true, cancelRequested: cancel, attempts: counted ?? 0, polls: polls ?? 0)
            }
            applied = results
        } catch let error as PSQLError where error.serverInfo != nil {
            // PostgreSQL rejected the statement, so none of it was written: try each on its own.
            return await writeEachAlone(commits)
        } catch {
            let mapped = mapError(error)
            return commits.map { _ in .failure(mapped) }
        }
        if commits.contains(where: { $0.wakeWorkers && applied[$0.sagaID] != nil }) {
            // The commits are in; a lost wake-up only delays other workers until their next poll.
            do { try await notify([.workAvailable]) } catch { logger.warning("could not notify workers", metadata: ["error": "\(error)"]) }
        }
        return commits.map { .success(applied[$0.sagaID] ?? .fenced) }
    }

    private func writeEachAlone(_ commits: [SagaCommit]) async -> [Result<CommitResult, any Error>] {
        var results: [Result<CommitResult, any Error>] = []
        for commit in commits {
            do { results.append(.success(try await commitAlone(commit))) } catch { results.append(.failure(error)) }
        }
        return results
    }

    private func batchStatement(_ commits: [SagaCommit]) throws -> SQLBuilder {
        var sql = SQLBuilder()
        // Sagas: one element per commit.
        let ids = sql.bind(commits.map(\.sagaID))
        let tokens = sql.bind(commits.map(\.fencingToken))
        let bumps = sql.bind(commits.map { $0.bumpFencingToken ? 1 : 0 })
        let statuses = sql.bind(commits.map(\.status.rawValue))
        let cursors = sql.bind(commits.map(\.currentStep))
        let contexts = sql.bind(try commits.map { try $0.context.map(JSONValue.encodeToString) ?? "" })
        let errorModes = sql.bind(commits.map { Self.errorBinds($0.error).0 })
        let errorTexts = sql.bind(commits.map { Self.errorBinds($0.error).1 ?? "" })
        let runAts = sql.bind(commits.map(\.runAt))
        let waitKinds = sql.bind(commits.map { $0.waitKind?.rawValue ?? "" })
        let releases = sql.bind(commits.map(\.releaseLease))
        let finished = sql.bind(commits.map(\.finished))
        let cancels = sql.bind(commits.map { $0.cancelRequested.map { $0 ? "true" : "false" } ?? "keep" })
        let nows = sql.bind(commits.map(\.now))
        // Step updates, attempts and events: one element each, keyed by saga id.
        let updates = commits.flatMap { commit in commit.stepUpdates.map { (commit.sagaID, $0) } }
        let updateOutputs = try updates.map { try $0.1.output.map(JSONValue.encodeToString) ?? "" }
        let attempts = commits.compactMap { commit in commit.attempt.map { (commit.sagaID, $0) } }
        let events = commits.flatMap { commit in commit.events.map { (commit.sagaID, $0) } }
        sql.append(
            """
            WITH i AS (
                SELECT * FROM unnest(\(ids)::uuid[], \(tokens)::bigint[], \(bumps)::bigint[], \(statuses)::text[],
                    \(cursors)::integer[], \(contexts)::text[], \(errorModes)::text[], \(errorTexts)::text[],
                    \(runAts)::timestamptz[], \(waitKinds)::text[], \(releases)::boolean[], \(finished)::boolean[],
                    \(cancels)::text[], \(nows)::timestamptz[])
                    AS t(id, token, bump, status, cursor, context, error_mode, error_text, run_at, wait_kind, release, finished, cancel, now)
            ),
            s AS (
                UPDATE saga_runs r SET
                    status = i.status, current_step = i.cursor,
                    context = CASE WHEN i.context = '' THEN r.context ELSE i.context::jsonb END,
                    error = CASE i.error_mode WHEN 'keep' THEN r.error WHEN 'clear' THEN NULL ELSE i.error_text END,
                    run_at = i.run_at, wait_kind = NULLIF(i.wait_kind, ''),
                    lease_owner = CASE WHEN i.release THEN NULL ELSE r.lease_owner END,
                    finished_at = CASE WHEN i.finished THEN i.now END,
                    cancel_requested = CASE i.cancel WHEN 'keep' THEN r.cancel_requested ELSE i.cancel::boolean END,
                    fencing_token = r.fencing_token + i.bump,
                    updated_at = i.now
                FROM i WHERE r.id = i.id AND r.fencing_token = i.token AND (r.lease_owner IS NOT NULL OR i.bump = 1)
                RETURNING r.id, r.cancel_requested, i.now
            ),
            su AS (
                SELECT * FROM unnest(\(sql.bind(updates.map(\.0)))::uuid[], \(sql.bind(updates.map(\.1.index)))::integer[],
                    \(sql.bind(updates.map(\.1.status.rawValue)))::text[], \(sql.bind(updateOutputs))::text[],
                    \(sql.bind(updates.map { Self.errorBinds($0.1.error).0 }))::text[],
                    \(sql.bind(updates.map { Self.errorBinds($0.1.error).1 ?? "" }))::text[],
                    \(sql.bind(updates.map(\.1.finished)))::boolean[], \(sql.bind(updates.map(\.1.compensated)))::boolean[],
                    \(sql.bind(updates.map(\.1.resetAttempts)))::boolean[], \(sql.bind(updates.map(\.1.resetCompensationAttempts)))::boolean[])
                    AS t(saga_id, idx, status, output, error_mode, error_text, finished, compensated, reset, reset_compensation)
            ),
            u AS (
                UPDATE saga_step_results t SET
                    status = su.status,
                    output = CASE WHEN su.output = '' THEN t.output ELSE su.output::jsonb END,
                    error = CASE su.error_mode WHEN 'keep' THEN t.error WHEN 'clear' THEN NULL ELSE su.error_text END,
                    finished_at = CASE WHEN su.finished THEN s.now ELSE t.finished_at END,
                    compensated_at = CASE WHEN su.compensated THEN s.now ELSE t.compensated_at END,
                    attempts = CASE WHEN su.reset THEN 0 ELSE t.attempts END,
                    compensation_attempts = CASE WHEN su.reset_compensation THEN 0 ELSE t.compensation_attempts END
                FROM su JOIN s ON s.id = su.saga_id
                WHERE t.saga_id = su.saga_id AND t.step_idx = su.idx
            ),
            a AS (
                INSERT INTO saga_step_results (saga_id, step_idx, step_name, status, attempts, polls, compensation_attempts, started_at)
                SELECT sa.saga_id, sa.idx, sa.name, sa.status, sa.attempts, sa.polls, sa.compensations, s.now
                FROM unnest(\(sql.bind(attempts.map(\.0)))::uuid[], \(sql.bind(attempts.map(\.1.index)))::integer[],
                    \(sql.bind(attempts.map(\.1.name)))::text[],
                    \(sql.bind(attempts.map { ($0.1.phase == .compensation ? StepStatus.compensating : .running).rawValue }))::text[],
                    \(sql.bind(attempts.map { $0.1.phase == .attempt ? 1 : 0 }))::integer[],
                    \(sql.bind(attempts.map { $0.1.phase == .poll ? 1 : 0 }))::integer[],
                    \(sql.bind(attempts.map { $0.1.phase == .compensation ? 1 : 0 }))::integer[])
                    AS sa(saga_id, idx, name, status, attempts, polls, compensations)
                JOIN s ON s.id = sa.saga_id
                \(Self.countAttempt)
                RETURNING saga_id, attempts, polls, compensation_attempts
            ),
            ev AS (
                INSERT INTO saga_events (saga_id, at, kind, step_idx, detail)
                SELECT e.saga_id, s.now, e.kind, NULLIF(e.step_idx, -1), CASE WHEN e.has_detail THEN e.detail END
                FROM unnest(\(sql.bind(events.map(\.0)))::uuid[], \(sql.bind(events.map(\.1.kind.rawValue)))::text[],
                    \(sql.bind(events.map { $0.1.stepIndex ?? -1 }))::integer[], \(sql.bind(events.map { $0.1.detail ?? "" }))::text[],
                    \(sql.bind(events.map { $0.1.detail != nil }))::boolean[])
                    WITH ORDINALITY AS e(saga_id, kind, step_idx, detail, has_detail, ord)
                JOIN s ON s.id = e.saga_id
                ORDER BY e.ord
            )
            SELECT s.id, s.cancel_requested, a.attempts, a.polls, a.compensation_attempts FROM s LEFT JOIN a ON a.saga_id = s.id
            """)
        return sql
    }
}
