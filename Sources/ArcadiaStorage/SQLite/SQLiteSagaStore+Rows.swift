import Foundation
import SQLiteNIO
import SagaEngine

extension SQLiteSagaStore {
    static let sagaColumns = """
        id, kind, template, step_names, inputs, context, status, current_step, cancel_requested, error,
        deployment_id, tenant_id, triggered_by, idempotency_key, lock_keys, hold_on_failure, run_at, wait_kind,
        lease_owner, fencing_token, created_at, updated_at, finished_at, lock_blocked
        """

    static let stepColumns = """
        saga_id, step_idx, step_name, status, output, error, attempts, polls, compensation_attempts, started_at,
        finished_at, compensated_at
        """

    static func decodeSaga(_ row: SQLiteDatabase.Row) throws -> SagaRecord {
        func text(_ name: String) throws -> String {
            guard let value = row.column(name)?.string else { throw corrupt("saga_runs.\(name) is missing") }
            return value
        }
        func optionalText(_ name: String) -> String? {
            guard let data = row.column(name), !data.isNull else { return nil }
            return data.string
        }
        func number(_ name: String) throws -> Double {
            guard let value = row.column(name)?.double else { throw corrupt("saga_runs.\(name) is missing") }
            return value
        }
        guard let id = UUID(uuidString: try text("id")) else { throw corrupt("saga_runs.id is not a UUID") }
        guard let kind = SagaKind(rawValue: try text("kind")) else { throw corrupt("unknown saga kind") }
        guard let status = SagaStatus(rawValue: try text("status")) else { throw corrupt("unknown saga status") }
        return SagaRecord(
            id: id, kind: kind, template: try text("template"),
            stepNames: try JSONDecoder().decode([String].self, from: Data(try text("step_names").utf8)),
            inputs: try JSONValue.decodeObject(try text("inputs")), context: try JSONValue.decodeObject(try text("context")),
            status: status, currentStep: Int(try number("current_step")),
            cancelRequested: row.column("cancel_requested")?.integer == 1, error: optionalText("error"),
            deploymentID: optionalText("deployment_id"), tenantID: optionalText("tenant_id"),
            triggeredBy: optionalText("triggered_by"), idempotencyKey: optionalText("idempotency_key"),
            lockKeys: try JSONDecoder().decode([String].self, from: Data(try text("lock_keys").utf8)),
            runAt: Date(timeIntervalSince1970: try number("run_at")),
            waitKind: optionalText("wait_kind").flatMap(WaitKind.init(rawValue:)), leaseOwner: optionalText("lease_owner"),
            fencingToken: Int64(try number("fencing_token")), holdOnFailure: row.column("hold_on_failure")?.integer == 1,
            createdAt: Date(timeIntervalSince1970: try number("created_at")),
            updatedAt: Date(timeIntervalSince1970: try number("updated_at")),
            finishedAt: row.column("finished_at")?.double.map(Date.init(timeIntervalSince1970:)),
            lockBlocked: row.column("lock_blocked")?.integer == 1)
    }

    static func decodeStep(_ row: SQLiteDatabase.Row) throws -> StepRecord {
        func optionalText(_ name: String) -> String? {
            guard let data = row.column(name), !data.isNull else { return nil }
            return data.string
        }
        guard let id = row.column("saga_id")?.string.flatMap(UUID.init(uuidString:)),
            let index = row.column("step_idx")?.integer, let name = row.column("step_name")?.string,
            let status = row.column("status")?.string.flatMap(StepStatus.init(rawValue:))
        else { throw corrupt("saga_step_results row is incomplete") }
        return StepRecord(
            sagaID: id, index: index, name: name, status: status,
            output: try optionalText("output").map(JSONValue.decodeObject), error: optionalText("error"),
            attempts: row.column("attempts")?.integer ?? 0, polls: row.column("polls")?.integer ?? 0,
            compensationAttempts: row.column("compensation_attempts")?.integer ?? 0,
            startedAt: row.column("started_at")?.double.map(Date.init(timeIntervalSince1970:)),
            finishedAt: row.column("finished_at")?.double.map(Date.init(timeIntervalSince1970:)),
            compensatedAt: row.column("compensated_at")?.double.map(Date.init(timeIntervalSince1970:)))
    }

    static func corrupt(_ message: String) -> StorageError { StorageError(.corrupt, message) }
}

extension SQLiteData {
    static func date(_ date: Date) -> SQLiteData { .float(date.timeIntervalSince1970) }
    static func optionalText(_ text: String?) -> SQLiteData { text.map { .text($0) } ?? .null }
    static func uuid(_ id: UUID) -> SQLiteData { .text(id.uuidString.lowercased()) }
    static func json<T: Encodable>(_ value: T) throws -> SQLiteData { .text(try JSONValue.encodeToString(value)) }
}
