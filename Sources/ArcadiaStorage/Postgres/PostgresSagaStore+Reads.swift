import Foundation
import PostgresNIO
import SagaEngine

extension PostgresSagaStore {
    package func saga(id: UUID) async throws -> SagaRecord? {
        try await execute("SELECT \(unescaped: Self.sagaColumns) FROM saga_runs WHERE id = \(id)").first.map(Self.decodeSaga)
    }

    package func sagas(ids: [UUID]) async throws -> [SagaRecord] {
        guard !ids.isEmpty else { return [] }
        return try await execute("SELECT \(unescaped: Self.sagaColumns) FROM saga_runs WHERE id = ANY(\(ids))").map(Self.decodeSaga)
    }

    package func steps(sagaID: UUID) async throws -> [StepRecord] {
        try await execute("SELECT \(unescaped: Self.stepColumns) FROM saga_step_results WHERE saga_id = \(sagaID) ORDER BY step_idx")
            .map(Self.decodeStep)
    }

    package func events(sagaID: UUID) async throws -> [SagaEvent] {
        try await execute("SELECT id, saga_id, at, kind, step_idx, detail FROM saga_events WHERE saga_id = \(sagaID) ORDER BY id")
            .map { row in
                let (id, saga, at, kind, step, detail) = try row.decode((Int64, UUID, Date, String, Int?, String?).self)
                guard let eventKind = SagaEventKind(rawValue: kind) else { throw Self.corrupt("unknown saga event kind '\(kind)'") }
                return SagaEvent(id: id, sagaID: saga, at: at, kind: eventKind, stepIndex: step, detail: detail)
            }
    }

    package func lockBlockers(sagaID: UUID) async throws -> [LockBlocker] {
        try await execute(
            """
            SELECT DISTINCT mine.key, r.id, r.template, r.status, other.lock_seq
            FROM saga_lock_keys mine
            JOIN saga_lock_keys other ON other.key = mine.key AND other.lock_seq < mine.lock_seq
            JOIN saga_runs r ON r.id = other.saga_id
            WHERE mine.saga_id = \(sagaID)
            ORDER BY mine.key, other.lock_seq
            """
        ).map { row in
            let (key, id, template, status, _) = try row.decode((String, UUID, String, String, Int64).self)
            guard let status = SagaStatus(rawValue: status) else { throw Self.corrupt("unknown saga status") }
            return LockBlocker(key: key, sagaID: id, template: template, status: status)
        }
    }

    package func list(_ filter: SagaFilter) async throws -> [SagaRecord] {
        var sql = SQLBuilder()
        var conditions: [String] = []
        if let status = filter.status { conditions.append("status = \(sql.bind(status.rawValue))") }
        if let template = filter.template { conditions.append("template = \(sql.bind(template))") }
        if let kind = filter.kind { conditions.append("kind = \(sql.bind(kind.rawValue))") }
        if let deployment = filter.deploymentID { conditions.append("deployment_id = \(sql.bind(deployment))") }
        if let tenant = filter.tenantID { conditions.append("tenant_id = \(sql.bind(tenant))") }
        if let after = filter.after {
            conditions.append("(created_at, seq) < (SELECT created_at, seq FROM saga_runs WHERE id = \(sql.bind(after)))")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        sql.append(
            "SELECT \(Self.sagaColumns) FROM saga_runs \(whereClause) ORDER BY created_at DESC, seq DESC LIMIT \(sql.bind(max(1, filter.limit)))"
        )
        return try await execute(sql.query).map(Self.decodeSaga)
    }

    package func countByStatus() async throws -> [SagaStatus: Int] {
        var counts: [SagaStatus: Int] = [:]
        for row in try await execute("SELECT status, count(*)::bigint FROM saga_runs GROUP BY status") {
            let (status, count) = try row.decode((String, Int64).self)
            if let status = SagaStatus(rawValue: status) { counts[status] = Int(count) }
        }
        return counts
    }

    package func countDue(now: Date) async throws -> Int {
        try await execute(
            "SELECT count(*)::bigint FROM saga_runs WHERE \(unescaped: SagaSQL.duePredicate) AND run_at <= \(now)"
        ).first.map { Int(try $0.decode(Int64.self)) } ?? 0
    }
}
